import ChorusCore
import ChorusSecurity
import ChorusServer
import Foundation
import RubyMarshal
import Testing

@Suite("Hardening: message, Marshal, collection and filter limits on the node")
struct HardeningLimitsTests {
    static let psk = try! PSKSecurityProvider(psk: "k", callerID: "uid=0", limits: AdmissionLimits.nodeDecoding)

    static func request(filter: RubyValue = Filter().rubyValue, data: RubyHash = RubyHash()) -> Request {
        Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: "uid=0", agent: "rpcutil", collective: "mcollective",
            filter: filter, ttl: 60, messageTime: Int(Date().timeIntervalSince1970),
            body: RPCRequestBody(agent: "rpcutil", action: "ping", caller: "uid=0", data: data).rubyValue)
    }

    static func admit(_ bytes: [UInt8], node: TestNode, limits: AdmissionLimits = .default) -> RequestAdmission.Decision {
        RequestAdmission(security: psk, statistics: node.statistics, collectives: ["mcollective"], limits: limits)
            .admit(bytes, now: Int(Date().timeIntervalSince1970), node: node.state)
    }

    /// `{:a => [[[ … ]]]}` nested `depth` arrays deep.
    static func nested(_ depth: Int) -> RubyValue {
        var value = RubyValue.int(1)
        for _ in 0..<depth { value = .array([value]) }
        return value
    }

    @Test("a body over max_message_size is refused before decoding, counted unvalidated, and the next request is served")
    func messageSize() throws {
        let node = try TestNode()
        defer { node.remove() }
        let limits = AdmissionLimits(maxMessageBytes: 2048)
        // Valid Marshal would not even be looked at: this is over the limit and not Marshal at all.
        let junk = [UInt8](repeating: 0x41, count: 2049)
        guard case .refused(.messageTooLarge(let bytes, let limit)) = Self.admit(junk, node: node, limits: limits) else {
            Issue.record("oversized body not refused")
            return
        }
        #expect(bytes == 2049 && limit == 2048)
        let big = try Self.psk.encodeRequest(Self.request(data: RubyHash(symbolKeys: ["x": .str(String(repeating: "x", count: 3000))])))
        guard case .refused(.messageTooLarge) = Self.admit(big, node: node, limits: limits) else { Issue.record("signed oversized body accepted"); return }
        guard case .accepted = Self.admit(try Self.psk.encodeRequest(Self.request()), node: node, limits: limits) else {
            Issue.record("a small request was refused")
            return
        }
        let stats = node.statistics.snapshot
        #expect(stats.total == 3 && stats.unvalidated == 2 && stats.validated == 1 && stats.passed == 1)
        #expect(AdmissionRefusal.messageTooLarge(bytes: 2049, limit: 2048).logMessage(sender: "evil").contains("2049 bytes from evil"))
    }

    @Test("Marshal nested deeper than the node's limit, or an Array longer than its collection limit, is rejected")
    func marshalLimits() throws {
        let node = try TestNode()
        defer { node.remove() }
        let depth = AdmissionLimits.nodeDecoding.maxDepth
        // Inside the body's :data hash (itself three levels down), a value that fits, and one that does not.
        let fits = try Self.psk.encodeRequest(Self.request(data: RubyHash(symbolKeys: ["deep": Self.nested(depth - 4)])))
        guard case .accepted = Self.admit(fits, node: node) else { Issue.record("nesting within the limit refused"); return }
        let deep = try Self.psk.encodeRequest(Self.request(data: RubyHash(symbolKeys: ["deep": Self.nested(depth + 1)])))
        guard case .rejected(.malformed(let why)) = Self.admit(deep, node: node) else { Issue.record("deep nesting accepted"); return }
        #expect(why.contains("nested too deeply"))
        let wide = RubyValue.array(Array(repeating: .nil, count: AdmissionLimits.nodeDecoding.maxCollectionCount + 1))
        let long = try Self.psk.encodeRequest(Self.request(data: RubyHash(symbolKeys: ["wide": wide])))
        guard case .rejected(.malformed(let tooLarge)) = Self.admit(long, node: node) else { Issue.record("huge Array accepted"); return }
        #expect(tooLarge.contains("too large"))
        // 10,000 levels of raw nesting, the envelope itself: rejected quickly, without exhausting the stack.
        let bomb: [UInt8] = [0x04, 0x08] + [UInt8](repeating: 0x5B, count: 10_000).flatMap { [$0, 0x06] } + [0x30]
        guard case .rejected = Self.admit(bomb, node: node) else { Issue.record("nesting bomb accepted"); return }
        #expect(node.statistics.snapshot.unvalidated == 3)
    }

    @Test("MarshalLimits.maxCollectionCount bounds Arrays and Hashes by their declared count")
    func collectionCount() throws {
        let limits = MarshalLimits(maxCollectionCount: 3)
        #expect(throws: Never.self) { try RubyMarshal.decode(RubyMarshal.encode([1, 2, 3]), limits: limits) }
        #expect(throws: MarshalError.tooLarge(offset: 2)) { try RubyMarshal.decode(RubyMarshal.encode([1, 2, 3, 4]), limits: limits) }
        let hash = RubyValue.hash(RubyHash(symbolKeys: ["a": 1, "b": 2, "c": 3, "d": 4]))
        #expect(throws: MarshalError.tooLarge(offset: 2)) { try RubyMarshal.decode(RubyMarshal.encode(hash), limits: limits) }
    }

    // MARK: Filters

    static func compound(_ tokens: [CompoundToken]) -> RubyValue {
        Filter(compound: [tokens]).rubyValue
    }

    @Test("every filter a client can build passes the node's filter limits")
    func clientFiltersPass() throws {
        var filter = Filter()
        // The longest and the deepest expressions the client's parser accepts.
        let clause = "role=web or "
        let long = String(repeating: clause, count: (CompoundParser.maximumLength - 8) / clause.count) + "role=db"
        try filter.addCompound(long)
        let nesting = CompoundParser.maximumNesting
        try filter.addCompound(String(repeating: "(", count: nesting) + "role=web" + String(repeating: ")", count: nesting))
        try filter.addCompound("fstat('" + String(repeating: "a", count: 4000) + "').size>0")
        for index in 0..<1000 { filter.identities.append("node\(index)") }
        #expect(throws: Never.self) { try FilterLimits.default.check(filter.rubyValue) }
    }

    @Test("the client refuses nesting deeper than the node accepts")
    func clientNesting() {
        let deep = CompoundParser.maximumNesting + 1
        #expect {
            try CompoundParser.parse(String(repeating: "(", count: deep) + "a=1" + String(repeating: ")", count: deep))
        } throws: { error in
            "\(error)".contains("nested deeper than \(CompoundParser.maximumNesting)")
        }
    }

    @Test("too many entries, expressions, tokens, too deep or too long: FilterError.tooLarge naming the bound")
    func filterBounds() {
        let limits = FilterLimits(maxSectionEntries: 3, maxExpressions: 2, maxTokens: 5, maxNesting: 2, maxTextLength: 10)
        func refusal(_ filter: RubyValue) -> String? {
            do {
                try limits.check(filter)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(Filter(identities: ["a", "b", "c"]).rubyValue) == nil)
        #expect(refusal(Filter(identities: ["a", "b", "c", "d"]).rubyValue)?.contains("identity filter has 4 entries, the limit is 3") == true)
        #expect(refusal(Filter(classes: ["12345678901"]).rubyValue)?.contains("11 characters long, the limit is 10") == true)
        #expect(refusal(Filter(facts: [FactFilter(fact: "f", operator: .equal, value: "12345678901")]).rubyValue)?.contains("the limit is 10") == true)
        #expect(refusal(Filter(compound: [[.statement("a")], [.statement("b")], [.statement("c")]]).rubyValue)?.contains("3 compound expressions") == true)
        #expect(refusal(Self.compound([.statement("a"), .and, .statement("b"), .and, .statement("c"), .or, .statement("d")]))?.contains("7 tokens") == true)
        #expect(refusal(Self.compound([.open, .open, .statement("a"), .close, .close])) == nil)
        #expect(refusal(Self.compound([.open, .open, .open, .statement("a")]))?.contains("deeper than 2") == true)
        #expect(refusal(Self.compound([.statement("a=12345678901")]))?.contains("compound entry") == true)
        let function = FunctionStatement(name: "fstat", params: "/etc/passwd-x", value: "size", operator: .equal, comparand: .text("1"))
        #expect(refusal(Self.compound([.function(function)]))?.contains("13 characters") == true)
        let regex = FunctionStatement(name: "fstat", params: "/a", value: "name", operator: .matches, comparand: .regex("aaaaaaaaaaaa"))
        #expect(refusal(Self.compound([.function(regex)]))?.contains("12 characters") == true)
        // Shapes it does not know are left to Filter(rubyValue:).
        #expect(refusal(.str("not a hash")) == nil)
    }

    @Test("a filter beyond the limits is refused before it is read, counted unvalidated")
    func filterAdmission() throws {
        let node = try TestNode()
        defer { node.remove() }
        var tokens: [CompoundToken] = [.statement("role=web")]
        for _ in 0..<3000 { tokens += [.or, .statement("role=web")] }
        let bytes = try Self.psk.encodeRequest(Self.request(filter: Self.compound(tokens)))
        guard case .refused(.filterTooLarge(_, let reason)) = Self.admit(bytes, node: node) else { Issue.record("huge filter read"); return }
        #expect(reason.contains("6001 tokens, the limit is 4096"))
        let stats = node.statistics.snapshot
        #expect(stats.unvalidated == 1 && stats.filtered == 0 && stats.validated == 0)
    }

    // MARK: Settings

    @Test("plugin.chorus.* settings: defaults, values, and errors that name the key")
    func settings() throws {
        let defaults = try AdmissionLimits(settings: PluginSettings())
        #expect(defaults == .default)
        #expect(defaults.maxMessageBytes == 4_194_304 && defaults.maxYAMLBytes == 1_048_576 && defaults.replayProtection)
        let set = try AdmissionLimits(settings: PluginSettings([
            "chorus.max_message_size": "65536", "chorus.max_yaml_size": "4096", "chorus.max_nesting_depth": "16",
            "chorus.max_collection_size": "100", "chorus.replay_protection": "no", "chorus.replay_cache_size": "50",
            "puppet.max_message_size": "1",
        ]))
        #expect(set.maxMessageBytes == 65536 && set.maxYAMLBytes == 4096 && set.decoding.maxDepth == 16)
        #expect(set.decoding.maxCollectionCount == 100 && !set.replayProtection && set.replayCacheSize == 50)
        for (key, value) in [("max_message_size", "4MB"), ("max_message_size", "10"), ("replay_cache_size", "0"), ("replay_protection", "maybe")] {
            do {
                _ = try AdmissionLimits(settings: PluginSettings(["chorus.\(key)": value]))
                Issue.record("\(key) = \(value) accepted")
            } catch {
                #expect(error.description.contains("plugin.chorus.\(key) = \(value)"))
            }
        }
    }
}
