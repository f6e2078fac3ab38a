import ChorusCore
import ChorusSecurity
import ChorusServer
import Foundation
import RubyMarshal
import Testing

@Suite("Replay protection: the replay window, freshness and the admission path")
struct ReplayCacheTests {
    @Test("an id is a replay until its expiry has passed, then fresh again")
    func expiry() {
        var window = ReplayWindow(capacity: 10)
        #expect(window.record("a", expiry: 160, now: 100) == .fresh)
        #expect(window.record("a", expiry: 160, now: 101) == .replayed)
        // The TTL check still accepts a message at age == ttl, so the id is kept through second 160.
        #expect(window.record("a", expiry: 160, now: 160) == .replayed)
        #expect(window.record("a", expiry: 220, now: 161) == .fresh)
        #expect(window.count == 1)
        #expect(window.record("b", expiry: 170, now: 161) == .fresh)
        #expect(window.count == 2)
    }

    @Test("a full window refuses new ids (fails closed) and takes them again once ids expire")
    func capacity() {
        var window = ReplayWindow(capacity: 3)
        #expect(window.record("a", expiry: 110, now: 100) == .fresh)
        #expect(window.record("b", expiry: 130, now: 100) == .fresh)
        #expect(window.record("c", expiry: 120, now: 100) == .fresh)
        #expect(window.record("d", expiry: 200, now: 105) == .full)
        // Refused ids are not remembered, and remembered ids are never evicted early.
        #expect(window.record("a", expiry: 110, now: 105) == .replayed)
        #expect(window.count == 3)
        // At 111 "a" has expired: one place is free; "b" and "c" are still remembered.
        #expect(window.record("d", expiry: 200, now: 111) == .fresh)
        #expect(window.record("e", expiry: 200, now: 111) == .full)
        #expect(window.record("c", expiry: 120, now: 111) == .replayed)
        #expect(window.record("b", expiry: 130, now: 111) == .replayed)
        // At 121 "c" has gone too.
        #expect(window.record("e", expiry: 200, now: 121) == .fresh)
        #expect(window.record("b", expiry: 130, now: 121) == .replayed)
    }

    @Test("expiry order is kept for thousands of ids with random lifetimes (checked against a plain table)")
    func randomizedAgainstModel() {
        var generator = SystemRandomNumberGenerator()
        var window = ReplayWindow(capacity: 500)
        var model: [String: Int] = [:]
        var now = 0
        for step in 0..<20_000 {
            now += Int.random(in: 0...2, using: &generator)
            let id = "id\(Int.random(in: 0..<1500, using: &generator))"
            let expiry = now + Int.random(in: 0...90, using: &generator)
            model = model.filter { $0.value >= now }
            let expected: ReplayWindow.Verdict
            if model[id] != nil {
                expected = .replayed
            } else if model.count >= 500 {
                expected = .full
            } else {
                expected = .fresh
                model[id] = expiry
            }
            let verdict = window.record(id, expiry: expiry, now: now)
            #expect(verdict == expected, "step \(step): \(id) at \(now)")
            if verdict != expected { return }
            #expect(window.count == model.count)
        }
    }

    @Test("the shared cache never overflows on hostile times and TTLs")
    func overflowSafe() {
        let cache = ReplayCache(capacity: 10)
        #expect(cache.record("max", messageTime: .max, ttl: .max, now: 0) == .fresh)
        #expect(cache.record("max", messageTime: .max, ttl: .max, now: .max) == .replayed)
        #expect(cache.record("min", messageTime: .min, ttl: .min, now: 0) == .fresh)
        // Expired at once: the next record purges it.
        #expect(cache.record("min", messageTime: .min, ttl: .min, now: 0) == .fresh)
    }

    @Test("freshness: age within the TTL either way, saturated instead of overflowing")
    func freshness() {
        #expect(RequestFreshness.age(messageTime: 100, now: 160) == 60)
        #expect(RequestFreshness.isFresh(age: 60, ttl: 60))
        #expect(!RequestFreshness.isFresh(age: 61, ttl: 60))
        #expect(RequestFreshness.isFresh(age: -60, ttl: 60))
        #expect(!RequestFreshness.isFresh(age: -61, ttl: 60))
        #expect(!RequestFreshness.isFresh(age: 0, ttl: -1))
        #expect(RequestFreshness.age(messageTime: .min, now: 1_000) == .max)
        #expect(RequestFreshness.age(messageTime: .max, now: -1_000) == .min)
        #expect(!RequestFreshness.isFresh(age: .min, ttl: .max))
        #expect(!RequestFreshness.isFresh(age: .max, ttl: .max))
    }

    // MARK: The admission path

    static let psk = try! PSKSecurityProvider(psk: "k", callerID: "uid=0")

    static func request(id: String = Request.newRequestID(), messageTime: Int = Int(Date().timeIntervalSince1970), ttl: Int = 60) -> Request {
        Request(
            requestID: id, senderID: "client", callerID: "uid=0", agent: "rpcutil", collective: "mcollective",
            filter: Filter().rubyValue, ttl: ttl, messageTime: messageTime,
            body: RPCRequestBody(agent: "rpcutil", action: "ping", caller: "uid=0", data: RubyHash()).rubyValue)
    }

    @Test("the same signed bytes twice: accepted once, then refused and counted as replayed and unvalidated")
    func replayedBytes() throws {
        let node = try TestNode()
        defer { node.remove() }
        let admission = RequestAdmission(security: Self.psk, statistics: node.statistics, collectives: ["mcollective"])
        let bytes = try Self.psk.encodeRequest(Self.request())
        let now = Int(Date().timeIntervalSince1970)
        guard case .accepted = admission.admit(bytes, now: now, node: node.state) else { Issue.record("first copy refused"); return }
        guard case .refused(.replayed(let request)) = admission.admit(bytes, now: now + 1, node: node.state) else {
            Issue.record("replay accepted")
            return
        }
        #expect(request.callerID == "uid=0")
        let stats = node.statistics.snapshot
        #expect(stats.total == 2)
        #expect(stats.validated == 1)
        #expect(stats.unvalidated == 1)
        #expect(stats.replayed == 1)
        #expect(stats.passed == 1)
        // A new request (new id) right after is served.
        guard case .accepted = admission.admit(try Self.psk.encodeRequest(Self.request()), now: now + 1, node: node.state) else {
            Issue.record("a fresh request was refused")
            return
        }
        // Once the TTL has passed, the copy is expired, not a replay.
        guard case .expired = admission.admit(bytes, now: now + 61, node: node.state) else { Issue.record("late copy not expired"); return }
        #expect(node.statistics.snapshot.replayed == 1)
    }

    @Test("with plugin.chorus.replay_protection = 0 a repeated id is served (MCollective's behaviour)")
    func protectionOff() throws {
        let node = try TestNode()
        defer { node.remove() }
        let limits = try AdmissionLimits(settings: PluginSettings(["chorus.replay_protection": "0"]))
        let admission = RequestAdmission(security: Self.psk, statistics: node.statistics, collectives: ["mcollective"], limits: limits)
        #expect(admission.replays == nil)
        let bytes = try Self.psk.encodeRequest(Self.request())
        let now = Int(Date().timeIntervalSince1970)
        for _ in 0..<2 {
            guard case .accepted = admission.admit(bytes, now: now, node: node.state) else { Issue.record("refused"); return }
        }
        #expect(node.statistics.snapshot.replayed == 0)
    }

    @Test("a full replay cache refuses the request and says so; it is not counted as a replay")
    func fullCache() throws {
        let node = try TestNode()
        defer { node.remove() }
        let admission = RequestAdmission(
            security: Self.psk, statistics: node.statistics, collectives: ["mcollective"], limits: AdmissionLimits(replayCacheSize: 2))
        let now = Int(Date().timeIntervalSince1970)
        for _ in 0..<2 {
            guard case .accepted = admission.admit(try Self.psk.encodeRequest(Self.request()), now: now, node: node.state) else {
                Issue.record("refused")
                return
            }
        }
        let decision = admission.admit(try Self.psk.encodeRequest(Self.request()), now: now, node: node.state)
        guard case .refused(let refusal) = decision, case .replayWindowFull(_, let capacity) = refusal else {
            Issue.record("accepted beyond capacity")
            return
        }
        #expect(capacity == 2)
        #expect(refusal.logMessage(sender: nil).contains("plugin.chorus.replay_cache_size"))
        let stats = node.statistics.snapshot
        #expect(stats.unvalidated == 1 && stats.replayed == 0)
    }

    @Test("extreme msgtime and ttl values are expired, not a crash")
    func extremeTimes() throws {
        let node = try TestNode()
        defer { node.remove() }
        let admission = RequestAdmission(security: Self.psk, statistics: node.statistics, collectives: ["mcollective"])
        let now = Int(Date().timeIntervalSince1970)
        for (time, ttl) in [(Int.min, 60), (Int.max, 60), (Int.min, Int.max), (Int.min + 1, Int.max), (now, -5)] {
            guard case .expired = admission.admit(try Self.psk.encodeRequest(Self.request(messageTime: time, ttl: ttl)), now: now, node: node.state) else {
                Issue.record("msgtime \(time) ttl \(ttl) not expired")
                return
            }
        }
        #expect(node.statistics.snapshot.ttlExpired == 5)
        // Far in the future but within an enormous TTL: served once, and remembered (until the end of time).
        let distant = try Self.psk.encodeRequest(Self.request(messageTime: .max, ttl: .max))
        guard case .accepted = admission.admit(distant, now: now, node: node.state) else { Issue.record("not accepted"); return }
        guard case .refused(.replayed) = admission.admit(distant, now: now, node: node.state) else { Issue.record("not a replay"); return }
    }
}
