import Foundation
import ChorusCore
import RubyMarshal

/// The reply an external agent's run becomes: a pure function of how the program ended and
/// what it printed (docs/EXTERNAL_AGENTS.md, "Status codes").
///
/// - exit 0: stdout must hold one JSON object `{"statuscode": 0-5, "statusmsg": "…", "data": {…}}`
///   (every key optional; statuscode defaults to 0); anything else is status 5
///   "`<agent>#<action>` did not answer with a JSON object: …".
/// - any other exit, or a signal: status 5 "`<agent>#<action>` failed: exited with status N:
///   <last stderr line>", unless stdout carries a reply whose statuscode is 1–5, which wins.
/// - past the timeout: status 5 "`<agent>#<action>` timed out after N s".
public struct ExternalAgentOutcome: Sendable, Hashable {
    public var statusCode: StatusCode
    public var statusMessage: String
    /// The reply's data with Symbol keys, laid over the DDL's output defaults by the caller.
    public var data: RubyHash

    public init(statusCode: StatusCode, statusMessage: String, data: RubyHash = RubyHash()) {
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.data = data
    }

    /// Maps one finished run of `agent`'s `action` (whose DDL timeout is `timeoutSeconds`) to a reply.
    public static func from(_ run: SystemCommandResult, agent: String, action: String, timeoutSeconds: Int) -> ExternalAgentOutcome {
        let label = "\(agent)#\(action)"
        if run.timedOut {
            return ExternalAgentOutcome(statusCode: .unknownError, statusMessage: "\(label) timed out after \(timeoutSeconds) s")
        }
        let parsed = ExternalAgentReplyDocument.parse(run.standardOutput, truncated: run.outputTruncated)
        if run.exitStatus == 0 {
            switch parsed {
            case .success(let reply):
                let status = reply.statusCode ?? .ok
                return ExternalAgentOutcome(statusCode: status, statusMessage: reply.statusMessage ?? defaultMessage(status), data: reply.data)
            case .failure(let problem):
                return ExternalAgentOutcome(statusCode: .unknownError, statusMessage: "\(label) \(problem.description)")
            }
        }
        var failure = "\(label) failed: \(ending(of: run))"
        if let line = lastLine(of: run.standardError) { failure += ": \(line)" }
        guard case .success(let reply) = parsed else {
            return ExternalAgentOutcome(statusCode: .unknownError, statusMessage: failure)
        }
        if let status = reply.statusCode, status != .ok {
            return ExternalAgentOutcome(statusCode: status, statusMessage: reply.statusMessage ?? failure, data: reply.data)
        }
        return ExternalAgentOutcome(statusCode: .unknownError, statusMessage: failure, data: reply.data)
    }

    /// "OK" for status 0, else the word MCollective prints for the status.
    static func defaultMessage(_ status: StatusCode) -> String {
        status == .ok ? "OK" : status.displayWord
    }

    /// "exited with status 3", "was killed by signal 9".
    static func ending(of run: SystemCommandResult) -> String {
        if let signal = run.signal { return "was killed by signal \(signal)" }
        return "exited with status \(run.exitStatus ?? -1)"
    }

    /// The last non-blank line of a program's output, trimmed and at most 300 characters.
    static func lastLine(of text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.last(where: { !$0.isEmpty }) else { return nil }
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}

/// The JSON object an external agent prints on standard output, checked field by field.
struct ExternalAgentReplyDocument: Sendable, Hashable {
    var statusCode: StatusCode?
    var statusMessage: String?
    var data: RubyHash

    /// Why stdout is not a usable reply; `description` completes "<agent>#<action> …".
    enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case notJSON(String)
        case invalidField(String)

        var description: String {
            switch self {
            case .notJSON(let why): return "did not answer with a JSON object: \(why)"
            case .invalidField(let why): return "answered with an invalid reply: \(why)"
            }
        }
    }

    static func parse(_ output: String, truncated: Bool) -> Result<ExternalAgentReplyDocument, Problem> {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .failure(.notJSON("the output was empty")) }
        let root: RubyValue
        do {
            root = try RubyValue(json: text)
        } catch {
            if truncated && output.utf8.count >= ExternalAgentProtocol.outputLimit {
                return .failure(.notJSON("the output exceeded the \(ExternalAgentProtocol.outputLimit) byte limit"))
            }
            return .failure(.notJSON("\(error.message) (output began: \(excerpt(text)))"))
        }
        guard case .hash(let object) = root else {
            return .failure(.notJSON("got \(kind(of: root)) instead"))
        }
        var reply = ExternalAgentReplyDocument(statusCode: nil, statusMessage: nil, data: RubyHash())
        if let code = object["statuscode"], !code.isNil {
            guard let number = code.intValue, let status = StatusCode(rawValue: number) else {
                return .failure(.invalidField("statuscode should be an integer from 0 to 5, not \(code.jsonString())"))
            }
            reply.statusCode = status
        }
        if let message = object["statusmsg"], !message.isNil {
            guard case .string = message, let text = message.stringValue else {
                return .failure(.invalidField("statusmsg should be a string, not \(message.jsonString())"))
            }
            reply.statusMessage = text
        }
        if let data = object["data"], !data.isNil {
            guard let hash = data.asHash else {
                return .failure(.invalidField("data should be a JSON object, not \(kind(of: data))"))
            }
            for pair in hash.pairs {
                reply.data.set(pair.value, for: pair.key.stringValue.map(RubyValue.symbol) ?? pair.key)
            }
        }
        return .success(reply)
    }

    private static func kind(of value: RubyValue) -> String {
        switch value {
        case .hash: return "an object"
        case .array: return "an array"
        case .string, .symbol: return "a string"
        case .int, .bigInt, .float: return "a number"
        case .bool: return "a boolean"
        case .nil: return "null"
        case .regexp: return "a regular expression"
        }
    }

    private static func excerpt(_ text: String) -> String {
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return firstLine.count > 80 ? String(firstLine.prefix(80)) + "…" : firstLine
    }
}
