import Testing

@testable import chorus

/// `mco inventory NODE` (application/inventory.rb), from the daemon_stats and inventory
/// replies node1 sent in the oracle run (both captured as frames).
@Suite("mco inventory output")
struct InventoryRenderingTests {
    @Test func inventory() throws {
        let stats = try OracleReplies.captured("36_inventory_app_daemon_stats_reply_SEND", action: "daemon_stats")
        let inventory = try OracleReplies.captured("31_rpc_inventory_reply_SEND", action: "inventory")
        let printed = InventoryRenderer.render(
            identity: "node1", daemonStats: stats, inventory: inventory, style: RPCPrinting.colour, timeZone: RPCPrinting.utc)
        let oracle = try OracleOutput("inventory_node1")
        expectSameBytes(printed, oracle.printed, "inventory_node1")
        #expect(oracle.exitCode == 0)
    }
}
