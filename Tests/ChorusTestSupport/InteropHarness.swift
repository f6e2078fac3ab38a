import Foundation

/// Drives `scripts/interop/{up,down}.sh`: real RabbitMQ, ActiveMQ and `mcollectived` nodes
/// from Debian, and the real `mco` client.
public struct InteropHarness: Sendable {
    /// The state directory the scripts keep their pids, configs and keys in.
    public let directory: String

    public init(directory: String = "/tmp/chorus-interop-tests") {
        self.directory = directory
    }

    public static let scripts: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/interop")

    /// Runs `up.sh` with `arguments` and returns its `KEY=VALUE` state.
    @discardableResult
    public func up(_ arguments: [String]) async throws -> [String: String] {
        let result = try await CommandResult.run(
            executable: Self.scripts.appendingPathComponent("up.sh").path, arguments,
            environment: ["INTEROP_DIR": directory], timeout: 240)
        guard result.status == 0 else {
            throw FleetError("up.sh \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.stderr.suffix(3000))")
        }
        return Self.parseState(result.stdout)
    }

    public func down(_ arguments: [String] = []) async throws {
        let result = try await CommandResult.run(
            executable: Self.scripts.appendingPathComponent("down.sh").path, arguments,
            environment: ["INTEROP_DIR": directory], timeout: 120)
        guard result.status == 0 else {
            throw FleetError("down.sh \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.stderr.suffix(2000))")
        }
    }

    /// The real `mco` with the harness's client.cfg.
    public func mco(_ arguments: [String], state: [String: String]) async throws -> CommandResult {
        guard let wrapper = state["INTEROP_MCO"] else { throw FleetError("up.sh reported no INTEROP_MCO") }
        return try await CommandResult.run(executable: wrapper, arguments, timeout: 90)
    }

    static func parseState(_ text: String) -> [String: String] {
        var state: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            state[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return state
    }

    /// The TLS material `up.sh --tls 1` generated (one CA, the brokers' certificate, the client
    /// certificate every node shares), as a Chorus fleet and `chorus broker` use it.
    public static func fleetTLS(_ state: [String: String]) throws -> FleetTLS {
        func value(_ key: String) throws -> String {
            guard let value = state[key] else { throw FleetError("up.sh reported no \(key) (was it run with --tls 1?)") }
            return value
        }
        return FleetTLS(
            caCertificate: try value("INTEROP_TLS_CA"),
            broker: CertificateFactory.Identity(certificate: try value("INTEROP_TLS_BROKER_CERT"), key: try value("INTEROP_TLS_BROKER_KEY")),
            client: CertificateFactory.Identity(certificate: try value("INTEROP_TLS_CERT"), key: try value("INTEROP_TLS_KEY")))
    }

    /// The ssl key files up.sh generated, as a Chorus fleet uses them.
    public static func sslKeys(_ state: [String: String]) throws -> Fleet.SSLKeys {
        func value(_ key: String) throws -> String {
            guard let value = state[key] else { throw FleetError("up.sh reported no \(key)") }
            return value
        }
        return Fleet.SSLKeys(
            serverPrivate: try value("INTEROP_SSL_SERVER_PRIVATE"), serverPublic: try value("INTEROP_SSL_SERVER_PUBLIC"),
            clientPrivate: try value("INTEROP_SSL_CLIENT_PRIVATE"), clientPublic: try value("INTEROP_SSL_CLIENT_PUBLIC"),
            clientCertDir: try value("INTEROP_SSL_CLIENT_CERT_DIR"))
    }
}
