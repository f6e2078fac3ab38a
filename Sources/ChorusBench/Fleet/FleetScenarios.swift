import ChorusClient
import ChorusCore
import RubyMarshal
import Synchronization

/// The fleet bench's scenarios, each driven through the real `RPCClient`:
///
/// - **broadcast**: `rpcutil ping` to every node as one broadcast, no discovery (the bench
///   knows the fleet), ending when every node has answered: `chorus rpc rpcutil ping` with
///   `--nodes` and `direct_addressing = 0`.
/// - **discovery + directed**: `mc` discovery (a `discovery` ping broadcast, ended by the
///   quiet window), then `rpcutil ping` addressed to each of a sample of the nodes found.
/// - **filter 10 %**: `chorus rpc rpcutil ping -F bench_group=0`: discovery with the fact
///   filter, then one broadcast carrying it; every node evaluates it, one in ten answers.
/// - **sustained**: several clients at once, each sending broadcasts back to back.
public struct FleetScenarios: Sendable {
    public let nodes: Int
    public let prefix: String
    public let timeout: Duration

    public init(nodes: Int, prefix: String, timeout: Duration) {
        self.nodes = nodes
        self.prefix = prefix
        self.timeout = timeout
    }

    /// Every node's identity, in index order.
    public var identities: [String] { (0..<nodes).map { SimulatedNodeProfile.identity(index: $0, prefix: prefix) } }

    private static func ping(filter: Filter = Filter()) -> RPCCall {
        RPCCall(agent: "rpcutil", action: "ping", arguments: RubyHash(), filter: filter, agentTimeout: 10)
    }

    /// One broadcast `rpcutil ping` to the whole fleet; `client` must be a broadcast client.
    public func broadcastRound(_ client: RPCClient) async throws -> FleetRound {
        var options = RPCOptions()
        options.discovery = .nodes(identities)
        options.timeout = timeout
        return try await round(client, Self.ping(), options: options, expected: nodes)
    }

    /// `rounds` broadcasts one after another.
    public func broadcast(_ client: RPCClient, rounds: Int) async throws -> FleetScenarioResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = FleetScenarioResult(name: "broadcast", requests: 0)
        for _ in 0..<max(1, rounds) {
            result.rounds.append(try await broadcastRound(client))
            result.requests += 1
        }
        result.wall = clock.now - started
        return result
    }

    /// Discovery of the whole fleet, then `rpcutil ping` directed to `sample` of the nodes
    /// found; `client` must be a directed client.
    public func discoveryAndDirected(_ client: RPCClient, sample: Int) async throws -> FleetScenarioResult {
        let clock = ContinuousClock()
        let started = clock.now
        let found = try await client.discover(filter: Filter(), agent: "rpcutil", timeout: timeout)
        let discoveryTime = clock.now - started
        let chosen = NodeSelection.choose(found, limit: .count(max(1, sample)), seed: 1)
        var options = RPCOptions()
        options.discovery = .nodes(chosen)
        options.timeout = timeout
        var result = FleetScenarioResult(name: "discovery + directed", requests: 1 + chosen.count)
        result.discovery = FleetDiscovery(expected: nodes, found: Set(found).count, duration: discoveryTime)
        result.rounds.append(try await round(client, Self.ping(), options: options, expected: chosen.count))
        result.wall = clock.now - started
        return result
    }

    /// `rpcutil ping -F bench_group=0`: discovery with the filter, then one broadcast with it.
    public func filtered(_ client: RPCClient) async throws -> FleetScenarioResult {
        var filter = Filter()
        try filter.addFact("\(SimulatedNodeProfile.groupFact)=0")
        let expected = SimulatedNodeProfile.members(ofGroup: 0, among: nodes)
        var options = RPCOptions()
        options.discoveryTimeout = timeout
        options.timeout = timeout
        let clock = ContinuousClock()
        let started = clock.now
        let recorder = ArrivalRecorder(expected: expected)
        let discovered = DiscoveredCount()
        let outcome = try await client.call(
            Self.ping(filter: filter), options: options,
            onDiscovered: { nodes in
                discovered.set(nodes.count, at: clock.now - started)
                recorder.restart()
            },
            onResult: { _ in recorder.record() })
        var result = FleetScenarioResult(name: "filter 10 %", requests: 2)
        result.discovery = FleetDiscovery(expected: expected, found: discovered.count, duration: discovered.duration)
        result.rounds.append(
            FleetRound(
                expected: expected, replies: outcome.results.count, failed: outcome.results.filter { $0.statusCode != 0 }.count,
                arrivals: recorder.samples, duration: outcome.blockTime))
        result.wall = clock.now - started
        return result
    }

    /// Every client sends `rounds` broadcasts back to back, all clients at once.
    public func sustained(_ clients: [RPCClient], rounds: Int) async throws -> FleetScenarioResult {
        let clock = ContinuousClock()
        let started = clock.now
        let perClient = try await withThrowingTaskGroup(of: [FleetRound].self) { group in
            for client in clients {
                group.addTask {
                    var done: [FleetRound] = []
                    for _ in 0..<max(1, rounds) { done.append(try await broadcastRound(client)) }
                    return done
                }
            }
            var all: [FleetRound] = []
            for try await rounds in group { all.append(contentsOf: rounds) }
            return all
        }
        var result = FleetScenarioResult(name: "sustained (\(clients.count) clients)", requests: perClient.count)
        result.rounds = perClient
        result.concurrent = true
        result.wall = clock.now - started
        return result
    }

    private func round(_ client: RPCClient, _ call: RPCCall, options: RPCOptions, expected: Int) async throws -> FleetRound {
        let recorder = ArrivalRecorder(expected: expected)
        let outcome = try await client.call(call, options: options, onResult: { _ in recorder.record() })
        return FleetRound(
            expected: expected, replies: outcome.results.count, failed: outcome.results.filter { $0.statusCode != 0 }.count,
            arrivals: recorder.samples, duration: outcome.totalTime)
    }
}

/// How many nodes discovery found, and when it ended.
private final class DiscoveredCount: Sendable {
    private let state = Mutex<(count: Int, duration: Duration)>((0, .zero))
    func set(_ count: Int, at duration: Duration) { state.withLock { $0 = (count, duration) } }
    var count: Int { state.withLock { $0.count } }
    var duration: Duration { state.withLock { $0.duration } }
}
