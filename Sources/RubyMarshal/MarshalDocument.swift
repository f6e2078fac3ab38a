/// A decoded Marshal document together with where it reused objects.
///
/// Ruby writes an object link (`@n`) whenever the same object appears twice in one dump:
/// MCollective's request envelope, for example, puts the very String of the filter's agent
/// list under `:agent`, and equal Floats share one immediate value. `RubyValue` has no object
/// identity, so the decoder returns the links separately; handing them back to
/// `RubyMarshal.encode(_:)` reproduces the original bytes exactly.
public struct MarshalDocument: Sendable, Hashable {
    /// One object link: the value at `node` (its position in a pre-order walk of the value
    /// tree, counting the root as 0 and, for a hash, each key before its value) was written
    /// as a link to object number `object` in Ruby's object numbering.
    public struct Link: Sendable, Hashable {
        public var node: Int
        public var object: Int

        public init(node: Int, object: Int) {
            self.node = node
            self.object = object
        }
    }

    /// The decoded value, with every link replaced by (a copy of) the object it names.
    public var value: RubyValue
    /// Links in increasing `node` order.
    public var links: [Link]

    public init(value: RubyValue, links: [Link] = []) {
        self.value = value
        self.links = links
    }
}
