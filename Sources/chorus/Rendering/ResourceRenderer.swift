import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// `chorus resource`: PE's Browse Resources on the command line. Pure functions from grouped
/// `puppetral` replies to text or JSON.
///
/// Properties that differ between variants are highlighted: bold yellow on a terminal, a `*`
/// in the margin otherwise (and with NO_COLOR or `--no-color`). Resources with more than one
/// variant are marked the same way in the list.
struct ResourceRenderer {
    var style: TerminalStyle

    /// Puppet manifest syntax for a value: strings single-quoted, numbers and booleans bare,
    /// arrays `['a', 'b']`, hashes `{'k' => 'v'}`, nil `undef`.
    static func puppetValue(_ value: RubyValue) -> String {
        switch value {
        case .nil: return "undef"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .float(let number): return String(number)
        case .string, .symbol: return quoted(value.stringValue ?? "")
        case .array(let items): return "[" + items.map(puppetValue).joined(separator: ", ") + "]"
        case .hash(let hash): return "{" + hash.pairs.map { "\(puppetValue($0.key)) => \(puppetValue($0.value))" }.joined(separator: ", ") + "}"
        default: return quoted(value.rubyText)
        }
    }

    /// `'text'` with `\` and `'` escaped, as `puppet resource` writes strings.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The margin mark of a highlighted line when there is no colour.
    private func mark(_ highlighted: Bool) -> String { highlighted && !style.colour ? "* " : "  " }

    private func highlight(_ text: String, _ on: Bool) -> String { on ? style.bold(style.yellow(text)) : text }

    private static func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    // MARK: the list

    /// Each resource of a type with the number of nodes it was found on and its variants.
    func list(type: String, summaries: [ResourceSummary], answering: Int) -> String {
        let varied = summaries.filter { $0.variants > 1 }.count
        var text = "\(type) resources on \(Self.plural(answering, "node")): \(Self.plural(summaries.count, "resource")), \(varied) with more than one variant\n"
        guard !summaries.isEmpty else { return text }
        let width = max(4, summaries.map(\.title.count).max() ?? 0)
        text += "\n  " + TextLayout.padRight("NAME", width) + "  NODES  VARIANTS\n"
        for summary in summaries {
            let varies = summary.variants > 1
            let row = TextLayout.padRight(summary.title, width) + "  " + TextLayout.padLeft(String(summary.nodes.count), 5)
                + "  " + TextLayout.padLeft(String(summary.variants), 8)
            text += mark(varies) + highlight(row, varies) + "\n"
        }
        if varied > 0 { text += "\n" + legend("has more than one variant: see chorus resource \(type) NAME") }
        return text
    }

    // MARK: one resource

    /// Every variant of one resource: its properties in manifest form, differing ones
    /// highlighted, and the nodes that have it.
    func inspect(_ comparison: ResourceComparison) -> String {
        let count = comparison.variants.count
        let nodes = comparison.nodes.count
        guard count > 0 else { return "\(comparison.type) '\(comparison.title)': no node reported it\n" }
        var text = "\(comparison.type) '\(comparison.title)': \(Self.plural(count, "variant")) on \(Self.plural(nodes, "node"))"
        text += comparison.differing.isEmpty ? "\n" : "; differing: \(comparison.differing.joined(separator: ", "))\n"
        for (index, variant) in comparison.variants.enumerated() {
            text += "\nVariant \(index + 1) of \(count), on \(Self.plural(variant.nodes.count, "node")): \(variant.nodes.joined(separator: ", "))\n\n"
            text += manifest(type: comparison.type, title: comparison.title, variant: variant)
        }
        if !comparison.differing.isEmpty { text += "\n" + legend("differs between variants") }
        return text
    }

    /// `type { 'title':` … `}` with aligned `=>`, as `puppet resource` prints it.
    func manifest(type: String, title: String, variant: ResourceVariant) -> String {
        let width = variant.properties.map(\.name.count).max() ?? 0
        var text = "  \(type) { \(Self.quoted(title)):\n"
        for property in variant.properties {
            let differs = variant.differing.contains(property.name)
            text += mark(differs) + highlight("  " + TextLayout.padRight(property.name, width) + " => " + Self.puppetValue(property.value) + ",", differs) + "\n"
        }
        return text + "  }\n"
    }

    private func legend(_ meaning: String) -> String {
        style.colour ? highlight("highlighted", true) + ": \(meaning)\n" : "*: \(meaning)\n"
    }

    // MARK: every type

    /// One row of Inspect All.
    struct TypeRow: Sendable, Hashable {
        var type: String
        var resources: Int
        var varied: Int
        /// 0…1: resources identical on every answering node.
        var similarity: Double
    }

    /// PE's Inspect All: per type, how many resources, how many vary, how similar the nodes are.
    func inspectAll(_ rows: [TypeRow], answering: Int) -> String {
        var text = "Resources on \(Self.plural(answering, "node"))\n\n  TYPE     RESOURCES  VARIANTS>1  SIMILARITY\n"
        for row in rows {
            let percent = String(Int((row.similarity * 100).rounded(.down))) + "%"
            let line = TextLayout.padRight(row.type, 7) + "  " + TextLayout.padLeft(String(row.resources), 9) + "  "
                + TextLayout.padLeft(String(row.varied), 10) + "  " + TextLayout.padLeft(percent, 10)
            text += mark(row.varied > 0) + highlight(line, row.varied > 0) + "\n"
        }
        return text + "\nSimilarity: the share of resources identical on every node that answered.\n"
    }

    // MARK: failures

    /// Nodes that failed (with their message) and nodes that did not answer; empty when neither.
    func problems(results: [RPCResult], noResponse: [String]) -> String {
        let failed = results.filter { !$0.succeeded }.sorted { $0.sender < $1.sender }
        var text = ""
        if !failed.isEmpty {
            text += "\n" + style.red("Failed on \(Self.plural(failed.count, "node")):") + "\n"
            for result in failed { text += "  \(result.sender): \(result.statusMessage)\n" }
        }
        if !noResponse.isEmpty {
            text += "\n" + style.red("No response from: \(noResponse.sorted().joined(separator: ", "))") + "\n"
        }
        return text
    }

    // MARK: JSON

    static func json(summaries: [ResourceSummary], type: String, answering: [String], results: [RPCResult], noResponse: [String]) -> RubyValue {
        .hash(RubyHash(stringKeys: [
            "type": .str(type),
            "nodes": strings(answering.sorted()),
            "resources": .array(summaries.map { summary in
                .hash(RubyHash(stringKeys: ["title": .str(summary.title), "nodes": strings(summary.nodes), "variants": .int(summary.variants)]))
            }),
            "failed": failures(results),
            "no_response": strings(noResponse.sorted()),
        ]))
    }

    static func json(comparison: ResourceComparison, results: [RPCResult], noResponse: [String]) -> RubyValue {
        .hash(RubyHash(stringKeys: [
            "type": .str(comparison.type),
            "title": .str(comparison.title),
            "nodes": strings(comparison.nodes),
            "differing": strings(comparison.differing),
            "variants": .array(comparison.variants.map { variant in
                .hash(RubyHash(stringKeys: [
                    "nodes": strings(variant.nodes),
                    "properties": .hash(RubyHash(pairs: variant.properties.map { RubyHash.Pair(key: .str($0.name), value: $0.value) })),
                    "differing": strings(variant.differing),
                ]))
            }),
            "failed": failures(results),
            "no_response": strings(noResponse.sorted()),
        ]))
    }

    static func json(rows: [TypeRow], answering: [String], results: [RPCResult], noResponse: [String]) -> RubyValue {
        .hash(RubyHash(stringKeys: [
            "nodes": strings(answering.sorted()),
            "types": .array(rows.map { row in
                .hash(RubyHash(stringKeys: [
                    "type": .str(row.type), "resources": .int(row.resources), "with_variants": .int(row.varied), "similarity": .float(row.similarity),
                ]))
            }),
            "failed": failures(results),
            "no_response": strings(noResponse.sorted()),
        ]))
    }

    private static func strings(_ items: [String]) -> RubyValue { .array(items.map { .str($0) }) }

    private static func failures(_ results: [RPCResult]) -> RubyValue {
        .array(results.filter { !$0.succeeded }.sorted { $0.sender < $1.sender }.map { result in
            .hash(RubyHash(stringKeys: [
                "sender": .str(result.sender), "statuscode": .int(result.statusCode), "statusmsg": .str(result.statusMessage),
            ]))
        })
    }
}
