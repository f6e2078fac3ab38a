import STOMP

/// One STOMP broker under test: what it is, where it listens, how to log in, and which
/// process to sample (``ProcessUsage``) for its CPU time and memory.
///
/// Parsed from the command line as `HOST:PORT[,pid=PID][,login=L][,passcode=P][,vhost=V]`
/// (``init(kind:parsing:)``); the defaults per kind are those of the brokers that
/// `scripts/interop/up.sh` starts (login `mcollective`/`marionette`, RabbitMQ virtual host
/// `/mcollective`). Without `pid=`, ``resolvingProcess()`` finds the process listening on the
/// port through `/proc` (``ListeningProcess``).
public struct BrokerTarget: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Which broker implementation it is.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// `chorus broker`.
        case chorus
        /// RabbitMQ with `rabbitmq_stomp` (the process to sample is `beam.smp`).
        case rabbitmq
        /// ActiveMQ (the process to sample is its `java`).
        case activemq
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    public var login: String?
    public var passcode: String?
    /// The CONNECT frame's `host` header: RabbitMQ's virtual host; ignored by the others.
    public var virtualHost: String
    /// The broker's process, for ``ProcessUsage/sample(pid:)``; nil = not sampled.
    public var pid: Int32?

    public init(kind: Kind, host: String, port: Int, login: String? = nil, passcode: String? = nil,
                virtualHost: String? = nil, pid: Int32? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.login = login
        self.passcode = passcode
        self.virtualHost = virtualHost ?? Self.defaultVirtualHost(kind)
        self.pid = pid
    }

    /// Parses `HOST:PORT[,pid=PID][,login=L][,passcode=P][,vhost=V]` (IPv6 as `[::1]:PORT`).
    /// RabbitMQ and ActiveMQ default to login `mcollective`, passcode `marionette`; RabbitMQ to
    /// virtual host `/mcollective`.
    public init(kind: Kind, parsing text: String) throws(BrokerTargetError) {
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let address = parts.removeFirst()
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw BrokerTargetError("'\(text)': expected HOST:PORT[,pid=PID][,login=L][,passcode=P][,vhost=V]")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw BrokerTargetError("'\(text)': the host is empty") }
        let defaultLogin: String? = kind == .chorus ? nil : "mcollective"
        let defaultPasscode: String? = kind == .chorus ? nil : "marionette"
        self.init(kind: kind, host: host, port: port, login: defaultLogin, passcode: defaultPasscode)
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else {
                throw BrokerTargetError("'\(text)': '\(part)' is not KEY=VALUE (pid, login, passcode, vhost)")
            }
            let key = part[..<equals]
            let value = String(part[part.index(after: equals)...])
            switch key {
            case "pid":
                guard let pid = Int32(value), pid > 0 else { throw BrokerTargetError("'\(text)': pid must be a process id") }
                self.pid = pid
            case "login": login = value
            case "passcode": passcode = value
            case "vhost": virtualHost = value
            default: throw BrokerTargetError("'\(text)': unknown key '\(key)' (pid, login, passcode, vhost)")
            }
        }
    }

    /// The RabbitMQ virtual host MCollective uses, `/mcollective`; ActiveMQ's name for itself
    /// in MCollective's CONNECT; `/` for Chorus (which ignores it).
    public static func defaultVirtualHost(_ kind: Kind) -> String {
        switch kind {
        case .chorus: return "/"
        case .rabbitmq: return "/mcollective"
        case .activemq: return "mcollective"
        }
    }

    /// The STOMP endpoint of this broker (plaintext).
    public var endpoint: STOMPEndpoint {
        STOMPEndpoint(host: host, port: port, login: login, passcode: passcode)
    }

    /// This target with ``pid`` filled in from the process listening on ``port`` when it was
    /// not given; unchanged when it was given or no listener is found.
    public func resolvingProcess() -> BrokerTarget {
        guard pid == nil else { return self }
        var copy = self
        copy.pid = ListeningProcess.pid(listeningOnPort: port)
        return copy
    }

    /// A sample of the broker process's memory and CPU time; nil without a live ``pid``.
    public func usage() -> ProcessUsage? {
        pid.flatMap { ProcessUsage.sample(pid: $0) }
    }

    /// Encoded without the passcode, so reports can be shared; decoded with none.
    private enum CodingKeys: String, CodingKey {
        case kind, host, port, login, virtualHost, pid
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try container.decode(Kind.self, forKey: .kind), host: try container.decode(String.self, forKey: .host),
            port: try container.decode(Int.self, forKey: .port), login: try container.decodeIfPresent(String.self, forKey: .login),
            virtualHost: try container.decode(String.self, forKey: .virtualHost),
            pid: try container.decodeIfPresent(Int32.self, forKey: .pid))
    }

    public var description: String { "\(kind.rawValue) at \(host):\(port)" + (pid.map { " (pid \($0))" } ?? "") }
}

/// A broker target that could not be parsed.
public struct BrokerTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
