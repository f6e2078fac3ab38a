/// One STOMP broker of the connector's pool (`plugin.<connector>.pool.N.*`).
public struct BrokerEndpoint: Sendable, Hashable {
    public var host: String
    /// `pool.N.port`, default 61613.
    public var port: Int
    /// `pool.N.user`, overridden by the `STOMP_USER` environment variable; default empty.
    public var user: String
    /// `pool.N.password`, overridden by `STOMP_PASSWORD`; default empty.
    public var password: String
    /// `pool.N.ssl`: connect with TLS.
    public var ssl: Bool
    /// `pool.N.ssl.ca`, `pool.N.ssl.cert`, `pool.N.ssl.key`: PEM files for TLS.
    public var sslCA: String?
    public var sslCert: String?
    public var sslKey: String?
    /// `pool.N.ssl.fallback`: fall back to unverified TLS when the certificates are not usable.
    public var sslFallback: Bool

    public init(
        host: String, port: Int = 61613, user: String = "", password: String = "", ssl: Bool = false,
        sslCA: String? = nil, sslCert: String? = nil, sslKey: String? = nil, sslFallback: Bool = false
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.ssl = ssl
        self.sslCA = sslCA
        self.sslCert = sslCert
        self.sslKey = sslKey
        self.sslFallback = sslFallback
    }
}
