import Foundation

/// A `host:port` the broker listens on. IPv6 hosts are written in brackets: `[::1]:61613`.
/// Port 0 asks the system for a free port.
///
/// `tls://HOST:PORT` (also `ssl://` or `stomp+ssl://`) is a TLS listener; `tls://HOST` alone
/// listens on ``defaultTLSPort``. `tcp://` or `stomp://` or no scheme is plaintext STOMP.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Whether clients must speak TLS on this address.
    public var tls: Bool

    /// The usual STOMP port (ActiveMQ's and RabbitMQ's plaintext STOMP).
    public static let defaultPort = 61613
    /// The usual STOMP-over-TLS port (ActiveMQ's `stomp+ssl`, RabbitMQ's `stomp.listeners.ssl`).
    public static let defaultTLSPort = 61614

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `[SCHEME://]HOST:PORT` or `[SCHEME://][IPV6]:PORT`; `nil` when malformed or the port is
    /// outside 0...65535. With a scheme the port may be left out (its default port is used).
    public init?(parsing text: String) {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        var tls = false
        var schemeGiven = false
        if let separator = trimmed.range(of: "://") {
            switch trimmed[..<separator.lowerBound].lowercased() {
            case "tls", "ssl", "stomp+ssl": tls = true
            case "tcp", "stomp": tls = false
            default: return nil
            }
            schemeGiven = true
            trimmed = String(trimmed[separator.upperBound...])
        }
        if let parsed = Self.hostAndPort(trimmed) {
            (host, port) = parsed
        } else if schemeGiven, let parsed = Self.hostAndPort("\(trimmed):\(tls ? Self.defaultTLSPort : Self.defaultPort)") {
            (host, port) = parsed
        } else {
            return nil
        }
        self.tls = tls
    }

    private static func hostAndPort(_ text: String) -> (String, Int)? {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains("/"), !portPart.isEmpty, portPart.allSatisfy(\.isASCII),
            let port = Int(portPart), (0...65535).contains(port)
        else { return nil }
        return (String(hostPart), port)
    }

    /// `host:port`, `[v6]:port`, with `tls://` in front for a TLS listener.
    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return tls ? "tls://\(address)" : address
    }
}
