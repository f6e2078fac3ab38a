import ChorusAgents
import ChorusCore
import Foundation
import Testing

/// Chorus's own rpcutil DDL (JSON, compiled in) against MCollective's rpcutil.ddl (Debian's,
/// identical to the oracle's copy, which RubyDDLDebianTests checks) read by the
/// Ruby DDL reader: the interface must be the same, so a request one accepts the other
/// accepts. Only the prose (descriptions, prompts, author) is Chorus's own wording.
@Suite("Ruby DDL: MCollective's rpcutil.ddl against the built-in rpcutil DDL")
struct RubyDDLBuiltinComparisonTests {
    static let oracle = "/usr/lib/ruby/vendor_ruby/mcollective/agent/rpcutil.ddl"

    @Test("same actions, inputs (names, types, optionality, lengths, validation), outputs, display and aggregates")
    func sameInterface() throws {
        try #require(FileManager.default.fileExists(atPath: Self.oracle), "\(Self.oracle) is missing: run scripts/interop/install.sh (installs Debian's mcollective)")
        let ruby = try AgentDDL.load(contentsOf: Self.oracle)
        let builtin = try BuiltinDDL.rpcutil()
        #expect(ruby.kind == builtin.kind)
        #expect(ruby.metadata.name == builtin.metadata.name)
        #expect(ruby.metadata.timeout == builtin.metadata.timeout)
        #expect(ruby.metadata.version == builtin.metadata.version)
        #expect(ruby.actions.map(\.name) == builtin.actions.map(\.name))
        for theirs in ruby.actions {
            let ours = try #require(builtin.action(named: theirs.name))
            #expect(theirs.inputs.map(\.name) == ours.inputs.map(\.name), "\(theirs.name)")
            #expect(theirs.inputs.map(\.type) == ours.inputs.map(\.type), "\(theirs.name)")
            #expect(theirs.inputs.map(\.optional) == ours.inputs.map(\.optional), "\(theirs.name)")
            #expect(theirs.inputs.map(\.maxLength) == ours.inputs.map(\.maxLength), "\(theirs.name)")
            #expect(theirs.inputs.map(\.validation) == ours.inputs.map(\.validation), "\(theirs.name)")
            #expect(theirs.outputs.map(\.name) == ours.outputs.map(\.name), "\(theirs.name)")
            #expect(theirs.outputs.map(\.displayAs) == ours.outputs.map(\.displayAs), "\(theirs.name)")
            #expect(theirs.display == ours.display, "\(theirs.name)")
            #expect(theirs.aggregates == ours.aggregates, "\(theirs.name)")
        }
    }
}
