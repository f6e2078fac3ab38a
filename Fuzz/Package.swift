// swift-tools-version:6.2
import Foundation
import PackageDescription

// libFuzzer targets for Chorus's parsers of untrusted input. Kept out of the root package so the
// normal `swift build --build-tests` never sees fuzz entry points. Build and run with
// `scripts/fuzz.sh` (it adds `--sanitize=fuzzer --sanitize=address`); see docs/SECURITY.md.
//
// The root package is a path dependency; SwiftPM names it after its directory, so the name is
// derived here rather than spelled (the checkout may be called anything).
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let chorus = Target.Dependency.product(name: "ChorusFuzzable", package: root.lastPathComponent)

// Each fuzz target is an executable without `main`: libFuzzer supplies it and calls the
// `@_cdecl("LLVMFuzzerTestOneInput")` function, so the sources are parsed as a library.
let entryPoint: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"]), .treatAllWarnings(as: .error)]

func fuzzTarget(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: [chorus, "FuzzSupport"] + extra, swiftSettings: entryPoint)
}

let package = Package(
    name: "ChorusFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // Turning libFuzzer's (pointer, size) into values, and seeded choices from input bytes.
        .target(name: "FuzzSupport", swiftSettings: [.treatAllWarnings(as: .error)]),
        fuzzTarget("FuzzMarshal"),
        fuzzTarget("FuzzYAMLEnvelope", [.product(name: "_CryptoExtras", package: "swift-crypto")]),
        fuzzTarget("FuzzCompoundFilter"),
        fuzzTarget("FuzzConfig"),
        fuzzTarget("FuzzSTOMPFrame", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzTarget("FuzzPolicy"),
    ]
)
