import ChorusSecurity
import Foundation
import RubyMarshal
import Testing

/// Ruby itself as the oracle: values travel to `ruby` as Marshal, Ruby's `YAML.dump` must
/// equal ours, and Ruby's `safe_load` of YAML must equal our `load`. Runs where Ruby 3.1
/// (Psych 4.0) is installed.
/// Whether Ruby 3.1's Psych 4.0 over libyaml 0.2.5 is installed to compare against.
enum RubyOracle {
    static let isPsych4: Bool = {
        guard let ruby = Subprocess.ruby,
            let result = try? Subprocess.run(ruby, ["-ryaml", "-e", "print Psych::VERSION, ' ', Psych::LIBYAML_VERSION"])
        else { return false }
        let versions = String(decoding: result.output, as: UTF8.self)
        return versions.hasPrefix("4.0.") && versions.hasSuffix("0.2.5")
    }()
}

@Suite("Ruby YAML against Ruby 3.1 itself", .enabled(if: RubyOracle.isPsych4))
struct RubyYAMLOracleTests {
    /// Runs `script` with the Marshal of `values` on standard input; returns the Array it marshals back.
    static func ruby(_ script: String, _ values: [RubyValue]) throws -> [RubyValue] {
        let input = Data(RubyMarshal.encode(.array(values)))
        let result = try Subprocess.run(try #require(Subprocess.ruby), ["-ryaml", "-e", script], input: input)
        #expect(result.status == 0)
        return try #require(try RubyMarshal.decode(Array(result.output)).arrayValue)
    }

    static let dumpScript = "$stdout.binmode; print Marshal.dump(Marshal.load($stdin.binmode.read).map { |v| YAML.dump(v) })"
    static let loadScript = """
        $stdout.binmode
        out = Marshal.load($stdin.binmode.read).map do |text|
          begin
            [:ok, YAML.safe_load(text, permitted_classes: [Symbol, Regexp])]
          rescue Exception => e
            [:error, e.class.name]
          end
        end
        print Marshal.dump(out)
        """

    /// Strings that exercise every quoting and folding rule.
    static let strings: [String] = {
        var strings = [
            "", " ", "a", "y", "n", "Y", "yes", "No", "on", "OFF", "true", "false", "null", "~", "Null", "nil",
            "0", "00", "012", "0789", "08", "1", "-1", "+1", "1_000", "1,000", "1__0", "0x1F", "0b101", "0o17", "1e5", "1.5", "-.5",
            ".5", "1.", ".", "-.", "+.", "1.e+5", "1:30", "1:30:15", "-1:30", "1:30.5", "1:60", ".inf", "-.inf", ".nan", ".Inf",
            "2024-01-01", "2024-1-5", "2024-02-30", "2024-13-01", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z",
            "2024-01-01 10:00:00 +05:30", "2024-01-01 25:00:00", ":sym", ":", "::", ":\"q\"", ":'q'x", "a:", "a: b", "a:b",
            "- x", "-x", "-", "--", "---", "--- pong\n", "...", "? x", "?x", "#x", "x #y", "x#y", "[x]", "{x}", "x,y", "&a", "*a",
            "!x", "|x", ">x", "'x", "\"x", "%x", "@x", "`x", "x'y", "x\"y", "<<", "< <", "=", "/^w/", "=~", "é", "naïve", "日本語",
            "😀", "a😀", "\u{85}", "a\u{2028}b", "\u{FEFF}x", "a\tb", "\t", "a\rb", "a\u{1B}b", "\u{7F}", "\u{0}", "a\\b",
            "trailing ", " leading", "a  b", "a\n", "a\n\n", "a\n\n\n", "\n", "\n\n", "\na", "a\nb", "a\nb\n", " a\nb", "a \nb",
            "a\n b", "a\n\nb", "a\n \nb", "a\r\nb", "mcollective", "cert=mcoclient", "5f0c510c28c65e1bb48d64b1c1373028",
            "12345678901234567890123456789012", "e89f7393e0aa595db93e869b9fa39ec2", "2.12.5", "web::nginx", "a b c",
            "You are not authorized to call this agent or action.", "1 2", "on\n", "~\n", "y\n", "x\n", "No\n", "1\n",
        ]
        let word = "lorem ipsum dolor sit amet"
        for count in [3, 4, 5, 8] {
            strings.append(Array(repeating: word, count: count).joined(separator: " "))
            strings.append(Array(repeating: word, count: count).joined(separator: "  "))
            strings.append("\"" + Array(repeating: word, count: count).joined(separator: " ") + "\"")
            strings.append("'" + Array(repeating: word, count: count).joined(separator: " ") + "'")
            strings.append("- " + Array(repeating: word, count: count).joined(separator: " ") + "\t")
            strings.append(Array(repeating: word, count: count).joined(separator: "\n"))
            strings.append(String(repeating: "x", count: 30 * count) + " " + String(repeating: "y", count: 10))
        }
        // A seeded pseudo-random mix of the characters that matter.
        let alphabet = Array("ab1 :-#'\"\n\t,[]{}!?é.0_~".unicodeScalars)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<400 {
            var text = String.UnicodeScalarView()
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 58) + 1
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            strings.append(String(text))
        }
        return strings
    }()

    static var values: [RubyValue] {
        var values: [RubyValue] = strings.map { .str($0) }
        values += strings.map { .symbol($0) }
        values += strings.map { .hash(RubyHash(stringKeys: [($0 as String): 1])) }
        values += strings.map { .hash(RubyHash(pairs: [.init(key: .symbol("k"), value: .str($0))])) }
        values += strings.map { .array([.str($0), .array([.str($0)])]) }
        values += [
            .nil, true, false, 0, -1, .int(Int.max), .int(Int.min), .bigInt(negative: true, magnitude: Array(repeating: 0xFF, count: 12)),
            1.5, 0.1, -0.0, 1e20, 1e-5, 123456789.123, .float(.infinity), .float(-.infinity), 100.0,
            .regexp(pattern: "^w", options: 0), .regexp(pattern: "a/b c", options: 5), .regexp(pattern: "x: y", options: 0),
            .binary([0xFF, 0x00, 0x41]), .binary(Array("plain ascii".utf8)), .binary([0x04, 0x08, 0x22]), .ascii("hexdigest"),
            [], .hash(RubyHash()), [[], [[]], .hash(RubyHash())], [.nil, .nil],
            .hash(RubyHash(pairs: [.init(key: 1, value: 2.5), .init(key: [1, 2], value: "complex key"),
                .init(key: .hash(RubyHash()), value: "empty key"), .init(key: .str(String(repeating: "k", count: 130)), value: "long key"),
                .init(key: "multi\nline", value: "v")])),
            // (A nil key and an empty-String key together: the YAML parser calls them duplicates.)
            .hash(RubyHash(symbolKeys: [
                "statuscode": 0, "statusmsg": "OK",
                "data": .hash(RubyHash(symbolKeys: [
                    "agents": ["discovery", "rpcutil"], "facts": .hash(RubyHash(stringKeys: ["cores": "2", "role": "web"])),
                    "stdout": "line one\nline two: with colon\n  indented\n\nafter blank\n", "times": .hash(RubyHash(symbolKeys: ["utime": 0.25])),
                    "nested": [.hash(RubyHash(symbolKeys: ["a": [1, [2, [3]]], "b": .hash(RubyHash(symbolKeys: ["c": .nil]))]))],
                ])),
            ])),
        ]
        return values
    }

    /// Keys Psych writes with a `!` tag (nil, Symbols that need quoting): the YAML parser
    /// resolves such keys to Strings while checking for duplicates, so they only round-trip
    /// through Ruby, not through `RubyYAML.load`.
    static let dumpOnlyValues: [RubyValue] = [
        .hash(RubyHash(pairs: [.init(key: .nil, value: .nil)])),
        .hash(RubyHash(pairs: [.init(key: .symbol("a: b"), value: 1), .init(key: .symbol(""), value: 2)])),
    ]

    @Test("our YAML.dump equals Ruby's for every value in the corpus")
    func dumpMatchesRuby() throws {
        let values = Self.values + Self.dumpOnlyValues
        let expected = try Self.ruby(Self.dumpScript, values)
        try #require(expected.count == values.count)
        var mismatches = 0
        for (value, theirs) in zip(values, expected) {
            let ours = try RubyYAML.dump(value)
            let theirBytes = try #require(theirs.bytesValue)
            if ours != theirBytes {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(value.inspect): ours \(String(decoding: ours, as: UTF8.self).debugDescription) Ruby \(String(decoding: theirBytes, as: UTF8.self).debugDescription)")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("our load equals Ruby's safe_load for Ruby's own output and hand-written YAML")
    func loadMatchesRuby() throws {
        let values = Self.values
        // Known deviation: Yams drops a U+FEFF that starts a scalar, Psych keeps it.
        var documents = try Self.ruby(Self.dumpScript, values).compactMap(\.bytesValue).filter {
            !String(decoding: $0, as: UTF8.self).contains("\\uFEFF")
        }
        for text in Self.strings where !text.unicodeScalars.contains("\u{FEFF}") {
            documents.append(Array("--- \(text)\n".utf8))
            documents.append(Array("key: \(text)\n".utf8))
        }
        documents += [
            "a: 1\nb:\n  - x\n  - y\n", "- {a: 1, b: [x, y]}\n", "a: &x 1\nb: *x\n", "<<: {a: 1}\nb: 2\n", "? [1]\n: v\n", "--- |2\n  indented\n",
            "--- >\n  folded\n  text\n", "--- 'it''s'\n", "--- \"esc\\t\\u00e9\"\n", "--- !!str 12\n", "--- !!int 12\n", "--- !!float 1\n",
            "--- !binary aGVsbG8=\n", "--- !ruby/symbol x\n", "--- !!null ''\n", "--- ! 12\n", "%YAML 1.1\n--- x\n", "--- x\n--- y\n",
            "# comment\na: 1 # trailing\n",
        ].map { Array($0.utf8) }
        let expected = try Self.ruby(Self.loadScript, documents.map { .binary($0) })
        try #require(expected.count == documents.count)
        var mismatches = 0
        for (document, theirs) in zip(documents, expected) {
            let pair = try #require(theirs.arrayValue)
            let ours = Result { try RubyYAML.load(document) }
            let agrees: Bool
            switch (pair.first, ours) {
            case (.symbol("ok"), .success(let value)): agrees = Self.same(value, pair[1])
            case (.symbol("error"), .failure): agrees = true
            default: agrees = false
            }
            if !agrees {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(String(decoding: document, as: UTF8.self).debugDescription): ours \(ours) Ruby \(pair[1].inspect)")
                }
            }
        }
        #expect(mismatches == 0)
    }

    /// Equal as Ruby compares them, ignoring String encodings (YAML text is always UTF-8).
    static func same(_ a: RubyValue, _ b: RubyValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x.bytes == y.bytes
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.hash(let x), .hash(let y)):
            return x.count == y.count && zip(x.pairs, y.pairs).allSatisfy { same($0.key, $1.key) && same($0.value, $1.value) }
        default: return a == b
        }
    }
}
