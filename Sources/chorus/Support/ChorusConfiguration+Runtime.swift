import ChorusClient
import ChorusConnector
import ChorusCore
import ChorusSecurity
import Foundation
import Logging
import RubyMarshal
import STOMP

/// Which end of a request a security provider serves.
enum SecurityRole {
    /// A node: verifies requests, signs replies.
    case server
    /// A client: signs requests, verifies replies.
    case client
}

/// Turns a parsed configuration into the runtime pieces: the broker pool, the security
/// provider, the client settings. Every "what do I do now" message names the key to set.
extension ChorusConfiguration {
    func brokerClientConfiguration(reconnects: Bool) throws -> STOMPClientConfiguration {
        let connector = try Connectors.named(self.connector)
        let endpoints = brokers.isEmpty
            ? [STOMPEndpoint(host: "127.0.0.1", port: 61613)]
            : try brokers.enumerated().map { index, broker in
                STOMPEndpoint(
                    host: broker.host, port: broker.port, login: broker.user, passcode: broker.password,
                    tls: try tlsSettings(for: broker, pool: index + 1))
            }
        let vhost = value(forKey: "plugin.\(self.connector).vhost") ?? connector.defaultVirtualHost
        return STOMPClientConfiguration(
            endpoints: endpoints, virtualHost: vhost, heartbeatInterval: heartbeatInterval, reconnects: reconnects,
            connectTimeout: Double(connectionTimeout ?? (reconnects ? 30 : 5)))
    }

    /// TLS to one broker from `pool.N.ssl`, `.ssl.ca`, `.ssl.cert`, `.ssl.key`, `.ssl.fallback`
    /// (and MCollective's `MCOLLECTIVE_<CONNECTOR>_POOL<N>_SSL_CERT` / `_KEY` environment
    /// overrides): verified when the files load, else unverified with a warning if
    /// `ssl.fallback` is set, else a configuration error naming the key. `nil` without `ssl`.
    private func tlsSettings(for broker: BrokerEndpoint, pool: Int) throws -> STOMPTLSSettings? {
        guard broker.ssl else { return nil }
        let usesPool = pluginConfig["\(connector).pool.size"] != nil
        let keyPrefix = usesPool ? "plugin.\(connector).pool.\(pool).ssl" : "plugin.\(connector).ssl"
        let environment = ProcessInfo.processInfo.environment
        let variable = "MCOLLECTIVE_\(connector.uppercased())_POOL\(pool)_SSL_"
        do {
            var resolution = try STOMPTLSSettings.resolve(
                ca: broker.sslCA, certificate: environment[variable + "CERT"] ?? broker.sslCert,
                privateKey: environment[variable + "KEY"] ?? broker.sslKey, fallback: broker.sslFallback,
                keyPrefix: keyPrefix, isReadable: TLSFiles.isReadable)
            if resolution.settings.verification == .verified {
                do {
                    try resolution.settings.validate()
                } catch {
                    resolution = try STOMPTLSSettings.fallingBack(error.message, fallback: broker.sslFallback, keyPrefix: keyPrefix)
                }
            }
            if let warning = resolution.warning { Logger(label: "chorus.connector").warning("\(warning)") }
            return resolution.settings
        } catch {
            throw ValidationFailure("\(path ?? source): \(error.message)")
        }
    }

    /// The security provider for this side of a request, from `securityprovider` and its
    /// `plugin.*` keys: `psk` (plugin.psk), or `ssl` (plugin.ssl_* keys, see `sslProvider`).
    /// `limits` and `maxYAMLBytes` bound what it decodes (nodes pass `AdmissionLimits`).
    func securityProvider(role: SecurityRole, limits: MarshalLimits = .default, maxYAMLBytes: Int = RubyYAML.defaultMaxBytes) throws -> any SecurityProvider {
        switch securityProvider {
        case "psk": return try pskProvider(limits: limits)
        case "ssl": return try sslProvider(role: role, limits: limits, maxYAMLBytes: maxYAMLBytes)
        default:
            throw ValidationFailure(
                "securityprovider = \(securityProvider) is not supported; use securityprovider = psk (with plugin.psk) or ssl (with plugin.ssl_* keys)")
        }
    }

    private func pskProvider(limits: MarshalLimits) throws -> PSKSecurityProvider {
        guard let psk, !psk.isEmpty else {
            throw ValidationFailure("no pre-shared key: set plugin.psk in \(path ?? source) (or MCOLLECTIVE_PSK in the environment)")
        }
        guard let callerType = PSKSecurityProvider.CallerType(rawValue: pskCallerType) else {
            throw ValidationFailure("plugin.psk.callertype = \(pskCallerType) is not one of uid, gid, user, group, identity")
        }
        return try PSKSecurityProvider(psk: psk, callerID: PSKSecurityProvider.callerID(type: callerType, identity: identity), limits: limits)
    }

    /// MCollective's ssl keys (security/ssl.rb). A node needs `plugin.ssl_server_private` (signs
    /// replies) and `plugin.ssl_client_cert_dir` (`<name>.pem` per client); a client needs
    /// `plugin.ssl_client_private` (signs requests; or `MCOLLECTIVE_SSL_PRIVATE`),
    /// `plugin.ssl_client_public` (its file name is the caller id; or `MCOLLECTIVE_SSL_PUBLIC`)
    /// and `plugin.ssl_server_public` (verifies replies). `plugin.ssl_serializer = yaml`
    /// switches both sides from Marshal to YAML. Loose key file permissions are logged.
    private func sslProvider(role: SecurityRole, limits: MarshalLimits, maxYAMLBytes: Int) throws -> SSLSecurityProvider {
        let file = path ?? source
        func setting(_ key: String, environment variable: String? = nil) throws -> String {
            if let variable, let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
            guard let value = pluginConfig[key], !value.isEmpty else {
                throw ValidationFailure("securityprovider = ssl needs plugin.\(key) in \(file)")
            }
            return value
        }
        let serializer = SSLSerializer(configurationValue: pluginConfig["ssl_serializer"])
        let provider: SSLSecurityProvider
        do {
            switch role {
            case .server:
                let signing = try SSLPrivateKey.load(path: try setting("ssl_server_private"))
                let directory = try setting("ssl_client_cert_dir")
                let caller = SSLSecurityProvider.callerID(publicKeyPath: pluginConfig["ssl_server_public"] ?? "server-public.pem")
                provider = SSLSecurityProvider(
                    callerID: caller, serializer: serializer, signingKey: signing.key, replyKey: nil,
                    clientKeys: SSLClientKeyDirectory(path: directory), warnings: signing.warnings, limits: limits,
                    maxYAMLBytes: maxYAMLBytes)
            case .client:
                let signing = try SSLPrivateKey.load(path: try setting("ssl_client_private", environment: "MCOLLECTIVE_SSL_PRIVATE"))
                let caller = SSLSecurityProvider.callerID(publicKeyPath: try setting("ssl_client_public", environment: "MCOLLECTIVE_SSL_PUBLIC"))
                guard PSKSecurityProvider.isValidCallerID(caller) else {
                    throw ValidationFailure("plugin.ssl_client_public gives the caller id '\(caller)'; name the file with letters, digits, _ . - only")
                }
                provider = SSLSecurityProvider(
                    callerID: caller, serializer: serializer, signingKey: signing.key,
                    replyKey: try SSLPublicKey.load(path: try setting("ssl_server_public")), clientKeys: nil,
                    warnings: signing.warnings, limits: limits, maxYAMLBytes: maxYAMLBytes)
            }
        } catch let error as SecurityError {
            throw ValidationFailure("securityprovider = ssl (\(file)): \(error)")
        }
        let logger = Logger(label: "chorus.security")
        for warning in provider.warnings { logger.warning("\(warning)") }
        return provider
    }

    func clientSettings(collective: String?, ttl: Int?) throws -> ClientSettings {
        let target = collective ?? mainCollective
        guard collective == nil || collectives.contains(target) || target == mainCollective else {
            throw ValidationFailure("collective \(target) is not one of this client's collectives (\(collectives.joined(separator: ", ")))")
        }
        return ClientSettings(
            identity: identity, collective: target, ttl: ttl ?? self.ttl, security: try securityProvider(role: .client),
            connector: try Connectors.named(connector), brokers: try brokerClientConfiguration(reconnects: false),
            directAddressingThreshold: directAddressingThreshold, directAddressing: directAddressing)
    }
}
