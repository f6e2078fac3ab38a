import ChorusClient
import ChorusConnector
import ChorusCore
import ChorusSecurity
import STOMP

/// Turns a parsed configuration into the runtime pieces: the broker pool, the security
/// provider, the client settings. Every "what do I do now" message names the key to set.
extension ChorusConfiguration {
    func brokerClientConfiguration(reconnects: Bool) throws -> STOMPClientConfiguration {
        let connector = try Connectors.named(self.connector)
        let endpoints = brokers.isEmpty
            ? [STOMPEndpoint(host: "127.0.0.1", port: 61613)]
            : brokers.map { STOMPEndpoint(host: $0.host, port: $0.port, login: $0.user, passcode: $0.password) }
        if brokers.contains(where: \.ssl) {
            throw ValidationFailure("plugin.\(self.connector).pool.N.ssl is set, but TLS to the broker is not supported yet; remove it or use a plain listener")
        }
        let vhost = value(forKey: "plugin.\(self.connector).vhost") ?? connector.defaultVirtualHost
        return STOMPClientConfiguration(
            endpoints: endpoints, virtualHost: vhost, heartbeatInterval: heartbeatInterval, reconnects: reconnects,
            connectTimeout: Double(connectionTimeout ?? (reconnects ? 30 : 5)))
    }

    func securityProvider() throws -> any SecurityProvider {
        guard securityProvider == "psk" else {
            throw ValidationFailure("securityprovider = \(securityProvider) is not supported yet; use securityprovider = psk with plugin.psk")
        }
        guard let psk, !psk.isEmpty else {
            throw ValidationFailure("no pre-shared key: set plugin.psk in \(path ?? source) (or MCOLLECTIVE_PSK in the environment)")
        }
        guard let callerType = PSKSecurityProvider.CallerType(rawValue: pskCallerType) else {
            throw ValidationFailure("plugin.psk.callertype = \(pskCallerType) is not one of uid, gid, user, group, identity")
        }
        return try PSKSecurityProvider(psk: psk, callerID: PSKSecurityProvider.callerID(type: callerType, identity: identity))
    }

    func clientSettings(collective: String?, ttl: Int?) throws -> ClientSettings {
        let target = collective ?? mainCollective
        guard collective == nil || collectives.contains(target) || target == mainCollective else {
            throw ValidationFailure("collective \(target) is not one of this client's collectives (\(collectives.joined(separator: ", ")))")
        }
        return ClientSettings(
            identity: identity, collective: target, ttl: ttl ?? self.ttl, security: try securityProvider(),
            connector: try Connectors.named(connector), brokers: try brokerClientConfiguration(reconnects: false),
            directAddressingThreshold: directAddressingThreshold, directAddressing: directAddressing)
    }
}
