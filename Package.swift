// swift-tools-version:6.2
import PackageDescription

// Module map: see docs/ARCHITECTURE.md. Each target depends only on targets listed above it.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Chorus",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chorus", targets: ["chorus"]),
        // For the libFuzzer package in Fuzz/ (depends on this package by path); not a public API.
        .library(name: "ChorusFuzzable", targets: ["RubyMarshal", "ChorusCore", "ChorusSecurity", "STOMP", "ChorusServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Ruby Marshal 4.8 reader/writer over a small value enum. No I/O.
        .target(name: "RubyMarshal", swiftSettings: strict),
        // Domain values: requests, replies, filters, facts, DDL, configuration. No I/O beyond reading files given to it.
        .target(name: "ChorusCore", dependencies: ["RubyMarshal"], swiftSettings: strict),
        // Security providers (psk, ssl with Marshal or Ruby-exact YAML), caller ids, TTL checks.
        .target(
            name: "ChorusSecurity",
            dependencies: [
                "ChorusCore", "RubyMarshal",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        // STOMP frames, the incremental parser, the encoder, and the NIO client connection.
        .target(
            name: "STOMP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The embedded broker: routing core + thin NIO server.
        .target(
            name: "ChorusBroker",
            dependencies: [
                "STOMP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // MCollective's connector dialects: destinations and headers.
        .target(name: "ChorusConnector", dependencies: ["ChorusCore", "STOMP"], swiftSettings: strict),
        // The node daemon: pipeline, agent host, facts, stats.
        .target(
            name: "ChorusServer",
            dependencies: [
                "ChorusCore", "ChorusSecurity", "ChorusConnector", "STOMP", "RubyMarshal",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        // Built-in agents (rpcutil, discovery, package, service, puppet, puppetral) and their DDLs.
        .target(
            name: "ChorusAgents",
            dependencies: ["ChorusServer", "ChorusCore", "ChorusSecurity", "RubyMarshal"],
            resources: [
                .embedInCode("DDL/rpcutil.json"), .embedInCode("DDL/discovery.json"), .embedInCode("DDL/package.json"),
                .embedInCode("DDL/service.json"), .embedInCode("DDL/puppet.json"), .embedInCode("DDL/puppetral.json"),
            ],
            swiftSettings: strict),
        // The RPC client library: discovery, fan-out, reply collection, batching, aggregation.
        .target(
            name: "ChorusClient",
            dependencies: [
                "ChorusCore", "ChorusSecurity", "ChorusConnector", "STOMP", "RubyMarshal",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Load generators that measure brokers and fleets (`chorus bench`): process sampling,
        // latency summaries, the brokers under test, the scenarios.
        .target(
            name: "ChorusBench",
            dependencies: [
                "STOMP", "ChorusCore", "ChorusSecurity", "ChorusConnector", "ChorusServer", "ChorusAgents", "ChorusClient", "ChorusBroker",
                "RubyMarshal",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The executable: thin commands and rendering.
        .executableTarget(
            name: "chorus",
            dependencies: [
                "ChorusCore", "ChorusSecurity", "STOMP", "ChorusBroker", "ChorusConnector",
                "ChorusServer", "ChorusAgents", "ChorusClient", "RubyMarshal", "ChorusBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),

        .testTarget(name: "RubyMarshalTests", dependencies: ["RubyMarshal"]),
        .testTarget(name: "ChorusCoreTests", dependencies: ["ChorusCore", "RubyMarshal"]),
        .testTarget(
            name: "ChorusSecurityTests",
            dependencies: ["ChorusSecurity", "ChorusCore", "RubyMarshal"]),
        .testTarget(
            name: "ChorusServerTests",
            dependencies: ["ChorusServer", "ChorusAgents", "ChorusSecurity", "ChorusCore", "RubyMarshal", "ChorusTestSupport"]),
        .testTarget(name: "STOMPTests", dependencies: ["STOMP", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "ChorusConnectorTests", dependencies: ["ChorusConnector", "STOMP"]),
        .testTarget(
            name: "ChorusBrokerTests",
            dependencies: [
                "ChorusBroker", "STOMP", "ChorusTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ]),
        // Real processes for the end-to-end and interop suites: fleets of `chorus broker` /
        // `chorus server`, command runs, the MCollective interop harness.
        .target(
            name: "ChorusTestSupport",
            dependencies: [
                "ChorusCore", "ChorusSecurity", "ChorusServer", "STOMP", "RubyMarshal",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ChorusTestSupport"),
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "chorus", "ChorusTestSupport", "ChorusCore", "RubyMarshal", "ChorusSecurity", "STOMP",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "chorus", "ChorusTestSupport", "ChorusCore", "RubyMarshal", "STOMP", "ChorusSecurity", "ChorusBench",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "RenderingTests", dependencies: ["chorus", "ChorusCore", "RubyMarshal", "ChorusClient"]),
    ]
)
