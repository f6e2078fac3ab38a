import Foundation

/// The ssl frames captured from real MCollective 2.12 (Tests/Fixtures/frames/rabbitmq_ssl_*)
/// and the throw-away public keys that signed them (`pubkeys/mcoclient.pem` for requests,
/// `pubkeys/server-public.pem` for replies).
enum SSLFixtures {
    static let marshalFolder = CapturedFrame.directory.appendingPathComponent("rabbitmq_ssl_marshal")
    static let yamlFolder = CapturedFrame.directory.appendingPathComponent("rabbitmq_ssl_yaml")

    static func keys(_ folder: URL) -> URL { folder.appendingPathComponent("pubkeys") }
    static func clientKey(_ folder: URL) -> String { keys(folder).appendingPathComponent("mcoclient.pem").path }
    static func serverKey(_ folder: URL) -> String { keys(folder).appendingPathComponent("server-public.pem").path }

    static func frames(_ folder: URL) -> [CapturedFrame] {
        let manager = FileManager.default
        var frames: [CapturedFrame] = []
        for name in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where name.hasSuffix(".frame") {
            guard let raw = manager.contents(atPath: folder.appendingPathComponent(name).path),
                let body = CapturedFrame.body(of: Array(raw))
            else { continue }
            frames.append(CapturedFrame(name: "\(folder.lastPathComponent)/\(name)", body: body))
        }
        return frames
    }

    static let marshal = frames(marshalFolder)
    static let yaml = frames(yamlFolder)
    static var all: [CapturedFrame] { marshal + yaml }
}

/// Runs a program and returns its exit status and standard output.
enum Subprocess {
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: Data) {
        // posix_spawn with files for standard input and output: synchronous, and safe to run
        // from parallel tests (no run loop, no pipes).
        let scratch = try TemporaryDirectory()
        let inputPath = scratch.path("stdin")
        let outputPath = scratch.path("stdout")
        try (input ?? Data()).write(to: URL(fileURLWithPath: inputPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : -1, try Data(contentsOf: URL(fileURLWithPath: outputPath)))
    }

    /// The first of the paths that is executable.
    static func find(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let openssl = find(["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"])
    static let ruby = find(["/usr/bin/ruby", "/usr/local/bin/ruby"])
}

/// A private temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-ssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
