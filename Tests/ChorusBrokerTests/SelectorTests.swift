import Testing

@testable import ChorusBroker

@Suite("JMS selector subset")
struct SelectorTests {
    private func matches(_ selector: String, _ headers: [String: String]) throws -> Bool {
        try Selector(selector).matches { headers[$0] }
    }

    @Test("MCollective's identity selector")
    func identity() throws {
        #expect(try matches("mc_identity = 'node1'", ["mc_identity": "node1"]))
        #expect(try !matches("mc_identity = 'node1'", ["mc_identity": "node2"]))
        #expect(try !matches("mc_identity = 'node1'", [:]))
    }

    @Test("<>, numbers, AND/OR/NOT and parentheses")
    func operators() throws {
        let headers = ["a": "x", "priority": "4", "b": "it's"]
        #expect(try matches("a <> 'y'", headers))
        #expect(try !matches("a <> 'x'", headers))
        #expect(try matches("priority = 4", headers))
        #expect(try matches("priority > 3.5 AND priority <= 4", headers))
        #expect(try matches("b = 'it''s'", headers))
        #expect(try matches("a = 'y' OR (priority = 4 AND NOT a = 'z')", headers))
        #expect(try !matches("NOT (a = 'x')", headers))
        #expect(try matches("a in ('q', 'x')", headers))
        #expect(try matches("a NOT IN ('q')", headers))
        #expect(try matches("missing IS NULL and a is not null", headers))
        #expect(try !matches("a = 4", headers))
    }

    @Test("missing headers make comparisons unknown, and NOT unknown is still not selected")
    func threeValuedLogic() throws {
        #expect(try !matches("NOT missing = 'x'", [:]))
        #expect(try matches("missing = 'x' OR 1 = 1", [:]))
    }

    @Test("syntax errors, overlong and deeply nested selectors are rejected")
    func errors() {
        for bad in ["", "a =", "a = 'x", "= 'x'", "a = 'x' b", "a ! 'x'", "(a = 'x'", "a IS 'x'"] {
            #expect(throws: SelectorParseError.self, "\(bad)") { try Selector(bad) }
        }
        #expect(throws: SelectorParseError.self) { try Selector(String(repeating: "(", count: 100) + "a = 'x'" + String(repeating: ")", count: 100)) }
        #expect(throws: SelectorParseError.self) { try Selector(String(repeating: "NOT ", count: 100) + "a = 'x'") }
        #expect(throws: SelectorParseError.self) { try Selector("a = '" + String(repeating: "x", count: 5000) + "'") }
        #expect(throws: Never.self) { try Selector(String(repeating: "(", count: 20) + "a = 'x'" + String(repeating: ")", count: 20)) }
    }
}
