import ChorusCore
import RubyMarshal
import Testing

/// The filter hashes real `mco` put in its discovery requests (Tests/Fixtures/frames).
struct FilterWireTests {
    struct Case: Sendable, CustomStringConvertible {
        var frame: String
        var options: CLIFilter
        var description: String { frame }
    }

    static let cases: [Case] = [
        Case(frame: "rabbitmq_psk/32_find_F_role_web_discovery_SEND.frame", options: CLIFilter(facts: ["role=web"])),
        Case(frame: "rabbitmq_psk/37_compound_S_discovery_SEND.frame", options: CLIFilter(select: ["role=web and datacenter=ams"])),
        Case(frame: "rabbitmq_psk/40_find_W_discovery_SEND.frame", options: CLIFilter(with: ["role=web web::apache"])),
        Case(frame: "rabbitmq_psk/40_find_class_discovery_SEND.frame", options: CLIFilter(classes: ["web::nginx"])),
        Case(frame: "rabbitmq_psk/40_find_class_regex_discovery_SEND.frame", options: CLIFilter(classes: ["/^web/"])),
        Case(frame: "rabbitmq_psk/40_find_compound_class_discovery_SEND.frame", options: CLIFilter(select: ["web::nginx or datacenter=fra"])),
        Case(frame: "rabbitmq_psk/40_find_compound_not_discovery_SEND.frame", options: CLIFilter(select: ["not role=web"])),
        Case(frame: "rabbitmq_psk/40_find_compound_paren_discovery_SEND.frame", options: CLIFilter(select: ["(role=web or role=db) and datacenter=ams"])),
        Case(frame: "rabbitmq_psk/40_find_fact_gt_discovery_SEND.frame", options: CLIFilter(facts: ["cores>3"])),
        Case(frame: "rabbitmq_psk/40_find_fact_ne_discovery_SEND.frame", options: CLIFilter(facts: ["osfamily!=Debian"])),
        Case(frame: "rabbitmq_psk/40_find_fact_regex_discovery_SEND.frame", options: CLIFilter(facts: ["role=/^w/"])),
        Case(frame: "rabbitmq_psk/40_find_fstatement_discovery_SEND.frame", options: CLIFilter(select: ["fact('role').value=db"])),
        Case(frame: "rabbitmq_psk/40_find_identity_regex_discovery_SEND.frame", options: CLIFilter(identities: ["/node[12]/"])),
    ]

    /// Parsing the same command line gives exactly the hash mco sent: keys, order, Symbols, encodings.
    @Test(arguments: cases)
    func cliFilterEncodesLikeMco(_ c: Case) throws {
        let sent = try #require(try OracleFrames.envelope(c.frame)["filter"])
        var filter = try c.options.filter()
        filter.collective = "mcollective"
        #expect(filter.rubyValue == sent)
    }

    /// And the received hash decodes to the same filter.
    @Test(arguments: cases)
    func receivedFilterDecodes(_ c: Case) throws {
        let sent = try #require(try OracleFrames.envelope(c.frame)["filter"])
        var expected = try c.options.filter()
        expected.collective = "mcollective"
        #expect(try Filter(rubyValue: sent) == expected)
    }

    @Test func fstatementHashKeyOrder() throws {
        let token = try CompoundParser.parse("fact('role').value=db")[0]
        let expected = RubyValue.hash(RubyHash(pairs: [.init(key: "fstatement", value: .hash(RubyHash(stringKeys: [
            "r_compare": "db", "operator": "==", "value": "value", "name": "fact", "params": "role",
        ])))]))
        #expect(token.rubyValue == expected)
        let regex = try CompoundParser.parse("fact('role').value=/^w/")[0]
        guard case .hash(let outer) = regex.rubyValue, case .hash(let inner)? = outer["fstatement"] else {
            Issue.record("not a hash")
            return
        }
        #expect(inner["r_compare"] == .regexp(pattern: "^w", options: 0))
        #expect(inner["operator"] == "=~")
    }

    @Test func roundTripsEveryShape() throws {
        var filter = Filter(
            facts: [FactFilter(fact: "cores", operator: .greaterOrEqual, value: "4")], classes: ["/web/"],
            agents: ["rpcutil"], identities: ["node1", "/node/"], collective: "dev")
        try filter.addCompound("(fstat('/etc/hosts').size>100 or not role=db) and foo()=/x/")
        #expect(try Filter(rubyValue: filter.rubyValue) == filter)
        let plain = Filter(agents: ["rpcutil"])
        guard case .hash(let hash) = plain.rubyValue else { return }
        #expect(hash.keys == ["fact", "cf_class", "agent", "identity", "compound"])
    }

    @Test func acceptsSymbolKeysNilAndPuppetClass() throws {
        let value = RubyValue.hash(RubyHash(symbolKeys: [
            "fact": [.hash(RubyHash(stringKeys: ["fact": "role", "value": "web", "operator": "=="]))],
            "puppet_class": ["common"], "agent": .nil,
            "compound": [[.hash(RubyHash(symbolKeys: ["statement": "role=web"]))]],
        ]))
        let filter = try Filter(rubyValue: value)
        #expect(filter.facts == [FactFilter(fact: "role", operator: .equal, value: "web")])
        #expect(filter.classes == ["common"])
        #expect(filter.compound == [[.statement("role=web")]])
        #expect(try Filter(rubyValue: .nil).isEmpty)
        #expect(try Filter(rubyValue: .hash(RubyHash())).isEmpty)
    }

    @Test func rejectsMalformedHashes() {
        #expect(throws: FilterError.self) { try Filter(rubyValue: "fact") }
        #expect(throws: FilterError.self) { try Filter(rubyValue: .hash(RubyHash(stringKeys: ["agent": "rpcutil"]))) }
        #expect(throws: FilterError.self) {
            try Filter(rubyValue: .hash(RubyHash(stringKeys: ["fact": [.hash(RubyHash(symbolKeys: ["fact": "a", "value": "b", "operator": "<>"]))]])))
        }
        #expect(throws: FilterError.self) {
            try Filter(rubyValue: .hash(RubyHash(stringKeys: ["compound": [[.hash(RubyHash(stringKeys: ["xor": "xor"]))]]])))
        }
    }

    /// The ssl+yaml captures carry the same filter text as the psk ones.
    @Test func sslYamlFramesCarryTheSameFilters() throws {
        func filterLine(_ name: String) throws -> String {
            let text = String(decoding: try OracleFrames.bytes(name), as: UTF8.self)
            return try #require(text.split(separator: "\n").first { $0.contains(":filter =>") }.map(String.init))
        }
        #expect(try filterLine("rabbitmq_ssl_yaml/25_compound_discovery_request_SEND.txt")
            == filterLine("rabbitmq_psk/37_compound_S_discovery_SEND.txt"))
        #expect(try filterLine("rabbitmq_ssl_yaml/26_fact_regex_discovery_request_SEND.txt")
            == filterLine("rabbitmq_psk/40_find_fact_regex_discovery_SEND.txt"))
    }
}
