import ChorusServer

/// Packages from dpkg's database through `dpkg-query` (Puppet's `apt` provider).
public struct RALPackageReader: RALResourceReader {
    public var settings: RALSettings

    public init(settings: RALSettings) { self.settings = settings }

    public func all() async throws(RALError) -> [RALResource] { RALDpkgPackages.packages(try await query()) }

    public func find(_ title: String) async throws(RALError) -> RALResource { RALDpkgPackages.package(named: title, in: try await query()) }

    /// Every package dpkg knows, one line each. `find` lists them all too, as Puppet does,
    /// so no title ever reaches a command line.
    func query() async throws(RALError) -> String {
        let command = SystemCommand("dpkg-query", RALDpkgPackages.queryArguments, timeout: settings.commandTimeout, outputLimit: 64 << 20)
        let result: SystemCommandResult
        do {
            result = try await command.run()
        } catch {
            throw .commandFailed("cannot list packages: \(error) (the package type reads dpkg's database)")
        }
        // dpkg-query exits 1 when a named package is missing; listing everything it exits 0.
        guard result.succeeded, !result.outputTruncated else {
            throw .commandFailed("cannot list packages: \(result.command) \(result.outcomeDescription): \(result.combinedOutput)")
        }
        return result.standardOutput
    }
}
