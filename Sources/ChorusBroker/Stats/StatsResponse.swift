/// What the statistics endpoint answers to one request, decided from the method and target
/// alone (the I/O is ``StatsEndpoint``'s):
///
/// | request | answer |
/// |---|---|
/// | `GET /stats` | 200, the ``StatsDocument`` as JSON |
/// | `GET /metrics` | 200, ``PrometheusText`` |
/// | `GET /healthz` | 200, `ok` |
/// | `GET` anything else | 404 |
/// | any other method | 405, `Allow: GET` |
///
/// A query string is ignored (`/metrics?x=1` is `/metrics`).
public struct StatsResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var contentType: String
    public var body: String
    /// Headers besides `Content-Type`, `Content-Length` and `Connection`.
    public var headers: [(String, String)] = []

    public static func == (lhs: StatsResponse, rhs: StatsResponse) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.contentType == rhs.contentType
            && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    static let plainText = "text/plain; charset=utf-8"
    static let json = "application/json; charset=utf-8"

    /// The answer to `method` (`GET`, `POST`, …) on `target` (the request line's path and
    /// query); `document` is only asked for when it is needed.
    public static func answer(method: String, target: String, document: () -> StatsDocument) -> StatsResponse {
        let path = String(target.prefix { $0 != "?" && $0 != "#" })
        guard method == "GET" else {
            return StatsResponse(
                status: 405, reason: "Method Not Allowed", contentType: plainText,
                body: "\(method) is not allowed; the statistics endpoint only answers GET\n", headers: [("Allow", "GET")])
        }
        switch path {
        case "/stats":
            return StatsResponse(status: 200, reason: "OK", contentType: json, body: document().json())
        case "/metrics":
            return StatsResponse(
                status: 200, reason: "OK", contentType: PrometheusText.contentType, body: PrometheusText.render(document()))
        case "/healthz":
            return StatsResponse(status: 200, reason: "OK", contentType: plainText, body: "ok\n")
        default:
            return notFound(path)
        }
    }

    static func notFound(_ path: String) -> StatsResponse {
        StatsResponse(
            status: 404, reason: "Not Found", contentType: plainText,
            body: "no such page: \(path.prefix(200)); the statistics endpoint serves /stats, /metrics and /healthz\n")
    }

    /// Sent when a client has not finished its request in time.
    static let requestTimeout = StatsResponse(
        status: 408, reason: "Request Timeout", contentType: plainText, body: "the request took too long\n")

    /// Sent to a connection over the endpoint's connection limit.
    static let busy = StatsResponse(
        status: 503, reason: "Service Unavailable", contentType: plainText,
        body: "too many connections to the statistics endpoint\n")
}
