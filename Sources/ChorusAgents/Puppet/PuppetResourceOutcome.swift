/// What `puppet resource TYPE NAME key=value…` did, read from its output.
///
/// Puppet logs a change to the resource as `Notice: /File[/tmp/x]/ensure: created` (standard
/// output) and a failure as `Error: /File[/tmp/x]/ensure: change from … failed: …` (standard
/// error); an unknown type or bad parameter ends the program with `Error: Could not run: …`
/// and a non-zero status. The result keeps Puppet's log lines about the resource.
public struct PuppetResourceOutcome: Sendable, Hashable {
    /// The log lines about the resource (or "no output produced").
    public var result: String
    public var changed: Bool
    public var failed: Bool

    public init(result: String, changed: Bool, failed: Bool) {
        self.result = result
        self.changed = changed
        self.failed = failed
    }

    /// Reads the outcome of applying `type[name]`.
    public static func parse(standardOutput: String, standardError: String, exitStatus: Int32?, type: String, name: String) -> PuppetResourceOutcome {
        let reference = "/" + PuppetResourceName.display(type: type, name: name)
        let lines = (standardOutput + "\n" + standardError).split(whereSeparator: \.isNewline).map(String.init)
        var kept: [String] = []
        var changed = false
        var failed = exitStatus != 0
        for line in lines {
            guard let level = ["Notice: ", "Warning: ", "Error: ", "Info: "].first(where: line.hasPrefix) else { continue }
            let message = line.dropFirst(level.count)
            if message.hasPrefix(reference + "/") || message.hasPrefix(reference + ":") {
                kept.append(line)
                if level == "Notice: " { changed = true }
                if level == "Error: " { failed = true }
            } else if message.hasPrefix("Could not run:") {
                kept.append(line)
                failed = true
            }
        }
        return PuppetResourceOutcome(result: kept.isEmpty ? "no output produced" : kept.joined(separator: "\n"), changed: changed, failed: failed)
    }
}
