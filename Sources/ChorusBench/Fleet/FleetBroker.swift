import ChorusBroker
import Foundation
import NIOCore

/// The broker under test: a `chorus broker` the bench starts (and stops) as a child process,
/// or a running broker named with `--broker` (RabbitMQ, ActiveMQ, or another Chorus broker).
public struct FleetBroker: Sendable {
    public let target: BrokerTarget
    /// The `chorus broker` the bench started (`ChorusBrokerProcess`), if it did.
    public let child: ChorusBrokerProcess?
    /// The started broker's statistics endpoint (`--stats-listen`).
    public let stats: StatsClient.Target?

    /// A running broker; its process is found by its listening port for CPU and memory samples.
    public static func running(_ target: BrokerTarget) -> FleetBroker {
        FleetBroker(target: target.resolvingProcess(), child: nil, stats: nil)
    }

    /// Starts `chorus broker` on a free loopback port, with its statistics endpoint on another
    /// and `limits.max_connections` raised to `connections` (its default, 10,000, is below the
    /// largest fleets); every other setting is the broker's default.
    public static func startChorus(executable: String, directory: String, connections: Int) async throws -> FleetBroker {
        let statsPort = try freePort()
        let configuration = "\(directory)/broker.cfg"
        try "# chorus bench fleet: the defaults, but room for every node and client\nlimits.max_connections = \(connections)\n"
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let child = try await ChorusBrokerProcess.start(
            executable: executable, arguments: ["--stats-listen", "127.0.0.1:\(statsPort)", "--config", configuration], timeout: 30)
        return FleetBroker(target: child.target, child: child, stats: StatsClient.Target(host: "127.0.0.1", port: statsPort))
    }

    /// The broker's own counters, when it has a statistics endpoint: MESSAGE frames in and out
    /// (all destination kinds), dropped, connections and subscriptions now.
    public func counters(group: any EventLoopGroup) async -> BrokerCounters? {
        guard let stats, let document = try? await StatsClient.document(from: stats, group: group) else { return nil }
        return BrokerCounters(
            messagesIn: document.messages.values.reduce(0) { $0 + $1.in },
            messagesOut: document.messages.values.reduce(0) { $0 + $1.out },
            dropped: document.stats["dropped"] ?? 0,
            connections: document.stats["connectionsCurrent"] ?? 0,
            subscriptions: document.stats["subscriptions"] ?? 0)
    }

    /// Stops the broker if the bench started it.
    public func stop() {
        child?.stop()
    }

    /// A loopback port nothing listens on now (bound to port 0 and released).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FleetBenchError("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw FleetBenchError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A Chorus broker's counters at one moment.
public struct BrokerCounters: Sendable, Equatable {
    public var messagesIn: Int
    public var messagesOut: Int
    public var dropped: Int
    public var connections: Int
    public var subscriptions: Int

    /// Messages in plus out since `earlier`.
    public func messages(since earlier: BrokerCounters) -> Int {
        messagesIn + messagesOut - earlier.messagesIn - earlier.messagesOut
    }
}
