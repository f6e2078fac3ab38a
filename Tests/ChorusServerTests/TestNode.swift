import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import Logging
import RubyMarshal

/// A node assembled from real parts (YAML facts file, classes file, built-in agents and
/// data plugins) in a temporary directory, without a broker.
struct TestNode {
    let directory: URL
    let state: NodeState
    let statistics: ServerStatistics

    init(facts: String = "osfamily: Debian\nrole: web\ncores: 4\n", classes: [String] = ["common", "web::nginx"]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try facts.write(to: directory.appendingPathComponent("facts.yaml"), atomically: true, encoding: .utf8)
        try classes.joined(separator: "\n").write(to: directory.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        statistics = ServerStatistics(startTime: Int(Date().timeIntervalSince1970))
        state = NodeState(
            identity: "node1", mainCollective: "mcollective", collectives: ["mcollective", "eu"], configFile: "/etc/chorus/server.cfg",
            statistics: statistics,
            factSource: YAMLFactSource(paths: [directory.appendingPathComponent("facts.yaml").path], cacheTime: 300, logger: Logger(label: "test")),
            classesFile: ClassesFile(path: directory.appendingPathComponent("classes.txt").path),
            agents: try BuiltinAgents.all(), dataPlugins: BuiltinDataPlugins.all(),
            configLookup: { $0 == "identity" ? .str("node1") : nil })
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
