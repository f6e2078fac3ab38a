import ChorusCore
import Foundation
import Logging

/// Finds external agents in the node's libdirs: for each `libdir`, each executable
/// `<libdir>/agent/<name>` with a DDL `<name>.json` (or `<name>.ddl`) beside it.
///
/// Rules (docs/EXTERNAL_AGENTS.md, "Layout"): names match `^[a-z][a-z0-9_]*$`; files with an
/// extension or a leading dot are not agents; a DDL without a program serves clients only
/// and is not reported; a program without a DDL, a non-executable or world-writable program,
/// a DDL that does not load, describes a data plugin or names another agent, a name taken by
/// a built-in agent (built-ins win) or by an earlier libdir (the first wins) are skipped with
/// a warning.
public struct ExternalAgentLoader: Sendable {
    public var libdirs: [String]
    /// The node's `plugin.*` settings; each agent gets its own `plugin.<agent>.*` ones.
    public var settings: PluginSettings
    public var logger: Logger

    /// What a scan found: agents to offer to the node (still subject to their activation
    /// check) and one warning per skipped candidate.
    public struct Scan: Sendable {
        public var agents: [ExternalAgent] = []
        public var warnings: [String] = []
    }

    public init(libdirs: [String], settings: PluginSettings, logger: Logger) {
        self.libdirs = libdirs
        self.settings = settings
        self.logger = logger
    }

    /// `builtins` followed by the external agents found, with each warning logged.
    public func agents(after builtins: [any Agent]) -> [any Agent] {
        let scan = scan(reserved: Set(builtins.map(\.name)))
        for warning in scan.warnings { logger.warning("\(warning)") }
        return builtins + scan.agents.map { $0 as any Agent }
    }

    /// Scans every libdir's `agent/` directory in order; `reserved` are the built-in agents' names.
    public func scan(reserved: Set<String>) -> Scan {
        var scan = Scan()
        var taken: [String: String] = [:]
        for libdir in libdirs {
            let directory = (libdir.hasSuffix("/") ? String(libdir.dropLast()) : libdir) + "/agent"
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for entry in entries.sorted() {
                switch candidate(entry, in: directory) {
                case .none:
                    continue
                case .skip(let warning):
                    scan.warnings.append(warning)
                case .agent(let path, let ddlPath):
                    if reserved.contains(entry) {
                        scan.warnings.append("external agent \(path) is not loaded: \(entry) is a built-in agent, which takes precedence")
                    } else if let earlier = taken[entry] {
                        scan.warnings.append("external agent \(path) is not loaded: \(earlier) (an earlier libdir) already provides \(entry)")
                    } else {
                        switch load(entry, program: path, ddlPath: ddlPath) {
                        case .success(let agent):
                            taken[entry] = path
                            scan.agents.append(agent)
                        case .failure(let problem):
                            scan.warnings.append(problem.message)
                        }
                    }
                }
            }
        }
        return scan
    }

    /// The names an agent may have: lower-case letter first, then lower-case letters, digits and `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private enum Candidate {
        case none
        case skip(String)
        case agent(path: String, ddl: String)
    }

    private struct Problem: Error {
        var message: String
    }

    /// Classifies one directory entry without loading anything.
    private func candidate(_ entry: String, in directory: String) -> Candidate {
        if entry.hasPrefix(".") || entry.contains(".") { return .none }
        let path = "\(directory)/\(entry)"
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .none }
        let executable = access(path, X_OK) == 0 && (info.st_mode & 0o111) != 0
        let ddl = ["json", "ddl"].map { "\(directory)/\(entry).\($0)" }.first { FileManager.default.fileExists(atPath: $0) }
        guard Self.isValidName(entry) else {
            guard executable || ddl != nil else { return .none }
            return .skip("external agent \(path) is not loaded: '\(entry)' is not a valid agent name (use lower-case letters, digits and _, starting with a letter)")
        }
        guard executable else {
            guard ddl != nil else { return .none }
            return .skip("external agent \(path) is not loaded: the file is not executable (chmod +x it; until then its DDL only serves clients)")
        }
        if (info.st_mode & 0o002) != 0 {
            return .skip("external agent \(path) is not loaded: the file is writable by every user, so anyone could change what the node runs (chmod o-w it)")
        }
        guard let ddl else {
            return .skip("external agent \(path) is not loaded: it has no DDL; write \(path).json (see docs/DDL.md)")
        }
        return .agent(path: path, ddl: ddl)
    }

    private func load(_ name: String, program: String, ddlPath: String) -> Result<ExternalAgent, Problem> {
        let ddl: AgentDDL
        do {
            ddl = try AgentDDL.load(contentsOf: ddlPath)
        } catch {
            return .failure(Problem(message: "external agent \(program) is not loaded: its DDL is invalid: \(error)"))
        }
        guard ddl.kind == .agent else {
            return .failure(Problem(message: "external agent \(program) is not loaded: \(ddlPath) describes a data plugin, not an agent"))
        }
        guard ddl.metadata.name == name else {
            return .failure(Problem(message: "external agent \(program) is not loaded: \(ddlPath) names the agent '\(ddl.metadata.name)', not '\(name)'"))
        }
        return .success(ExternalAgent(ddl: ddl, executable: program, settings: settings.scoped(to: name), logger: logger))
    }
}
