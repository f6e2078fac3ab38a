import ChorusCore
import FuzzSupport
import RubyMarshal

/// A node as the oracle fleet describes one: facts of each shape filters compare (text, digits,
/// a decimal, an Array, a Hash), classes, agents, and the pure data plugins.
let node = NodeSnapshot(
    identity: "web1.ams.example.net",
    facts: RubyHash(stringKeys: [
        "osfamily": .str("Debian"), "role": .str("web"), "datacenter": .str("ams"), "cores": .str("4"),
        "load": .str("0.75"), "hostname": .str("web1.ams.example.net"),
        "ipaddresses": .array([.str("192.0.2.10"), .str("2001:db8::10")]),
        "mounts": .hash(RubyHash(stringKeys: ["/": .str("ext4"), "/var": .str("xfs")])),
    ]),
    classes: ["settings", "default", "web::nginx", "common"],
    agents: ["discovery", "rpcutil", "puppet"],
    dataPlugins: [FactDataPlugin(), AgentDataPlugin(), CollectiveDataPlugin()])

/// The compound parser on arbitrary UTF-8 (`-S` text, ≤ 4096 scalars): tokens or a
/// `FilterError`, never a trap. Whatever the client accepts, nodes must accept too (within
/// `FilterLimits.default`). A parsed expression travels to nodes as a Ruby value in Marshal:
/// that round trip must give back the same filter, and evaluating it must select the same way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompoundFilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    guard let tokens = try? CompoundParser.parse(text) else { return 0 }
    let filter = Filter(compound: [tokens])
    do {
        try FilterLimits.default.check(filter.rubyValue)
    } catch {
        fatalError("fuzz invariant violated: nodes refuse a filter the client accepts: \(error)")
    }
    let wire = RubyMarshal.encode(filter.rubyValue)
    let received: Filter
    do {
        received = try Filter(rubyValue: try RubyMarshal.decode(wire))
    } catch {
        fatalError("fuzz invariant violated: the node cannot read the filter a client sends: \(error)")
    }
    fuzzInvariant(received == filter, "the filter read from the wire differs from the one sent")
    fuzzInvariant(received.matches(node) == filter.matches(node), "the same filter selects differently")
    return 0
}
