import ChorusCore
import FuzzSupport

/// Keys whose values `ChorusConfiguration` converts (numbers, booleans, lists, brokers).
let probedKeys = ["identity", "collectives", "main_collective", "ttl", "libdir", "direct_addressing_threshold",
                  "plugin.psk", "plugin.rabbitmq.pool.1.host", "rpcauthorization", "securityprovider"]

/// `ChorusConfiguration(parsing:source:)` on arbitrary text: a configuration or a
/// `ConfigurationError`, never a trap; `get_config_item` answers for any key of a parsed file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    guard let configuration = try? ChorusConfiguration(parsing: text, source: "fuzz.cfg", environment: [:]) else { return 0 }
    for key in probedKeys + configuration.entries.keys.prefix(16) {
        _ = configuration.configItem(key)
    }
    return 0
}
