import ArgumentParser

/// The options every client command shares with mco: configuration, filters, discovery,
/// timeouts, output. Names and short forms follow mco's so scripts carry over.
struct ClientOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "The client configuration file (default: $CHORUS_CONFIG, ~/.chorus/client.cfg, /etc/chorus/client.cfg, ~/.mcollective, /etc/mcollective/client.cfg).")
    var config: String?

    // MARK: Filters
    @Option(name: [.customShort("F"), .customLong("wf"), .customLong("with-fact")], help: ArgumentHelp("Match nodes with a fact: fact=value, fact!=value, fact>3, fact=/regex/.", valueName: "fact"))
    var withFact: [String] = []

    @Option(name: [.customShort("C"), .customLong("wc"), .customLong("with-class")], help: ArgumentHelp("Match nodes with a configuration management class (or /regex/).", valueName: "class"))
    var withClass: [String] = []

    @Option(name: [.customShort("I"), .customLong("wi"), .customLong("with-identity")], help: ArgumentHelp("Match a node by identity (or /regex/); exact identities skip discovery.", valueName: "identity"))
    var withIdentity: [String] = []

    @Option(name: [.customShort("A"), .customLong("wa"), .customLong("with-agent")], help: ArgumentHelp("Match nodes that have an agent.", valueName: "agent"))
    var withAgent: [String] = []

    @Option(name: [.customShort("S"), .customLong("select")], help: ArgumentHelp("Compound filter: \"role=web and (datacenter=ams or not /apache/)\", fact('x').value=y, fstat('/p').size>0.", valueName: "expression"))
    var select: [String] = []

    @Option(name: [.customShort("W"), .customLong("with")], help: ArgumentHelp("Combined fact and class filter: \"role=web web::nginx\".", valueName: "filter"))
    var with: [String] = []

    @Option(name: [.customShort("T"), .customLong("target")], help: ArgumentHelp("The collective to address (default: main_collective).", valueName: "collective"))
    var target: String?

    // MARK: Discovery
    @Option(name: [.customLong("dm"), .customLong("disc-method"), .customLong("discovery-method")], help: "Discovery method: mc (ask the network), flatfile (--nodes), stdin.")
    var discoveryMethod: String?

    @Option(name: .customLong("nodes"), help: ArgumentHelp("A file with one node identity per line; skips network discovery.", valueName: "file"))
    var nodesFile: String?

    @Option(name: [.customLong("dt"), .customLong("discovery-timeout")], help: "Seconds to wait for discovery answers at most (default 2).")
    var discoveryTimeout: Int?

    // MARK: Request
    @Option(name: [.short, .long], help: "Seconds to wait for replies (default: the agent's timeout + the discovery timeout).")
    var timeout: Int?

    @Option(help: "Seconds the request stays valid (default: ttl from the configuration, else 60).")
    var ttl: Int?

    @Option(help: "Send to this many nodes at a time.")
    var batch: Int?

    @Option(name: .customLong("batch-sleep"), help: "Seconds to sleep between batches (default 1).")
    var batchSleep: Double = 1

    @Option(name: [.customLong("limit-nodes"), .customLong("ln")], help: ArgumentHelp("Address only N (or N%) of the discovered nodes, chosen at random.", valueName: "N"))
    var limitNodes: String?

    @Flag(name: [.customShort("1"), .customLong("one")], help: "Address one of the discovered nodes (same as --limit-nodes 1).")
    var one = false

    @Option(name: .customLong("limit-seed"), help: "Seed for the --limit-nodes choice, for repeatable selections.")
    var limitSeed: UInt64?

    // MARK: Output
    @Flag(name: [.customShort("j"), .long], help: "Print the replies as JSON.")
    var json = false

    @Flag(name: [.short, .long], help: "Verbose output: status messages, statistics.")
    var verbose = false

    @Flag(name: [.customLong("np"), .customLong("no-progress")], help: "Do not show a progress bar.")
    var noProgress = false

    @Flag(name: .customLong("no-color"), help: "Do not use colours (also: NO_COLOR in the environment).")
    var noColor = false
}
