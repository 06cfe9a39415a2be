// swift-tools-version:6.1
import PackageDescription

// Coverage-guided fuzzing of NeuroLink's parsers with libFuzzer. Every executable holds one
// `LLVMFuzzerTestOneInput` and nothing else; libFuzzer supplies `main`. Build and run them with
// `scripts/fuzz.sh` (which uses `swift build --sanitize=fuzzer --sanitize=address`); a plain
// `swift build` of this package links binaries that do not fuzz. See docs/robustness.md.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// One harness: `fuzz-<name>` built from `Sources/fuzz-<name>`.
func harness(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzSupport"] + dependencies,
        swiftSettings: swiftSettings
    )
}

let protocolModule = Target.Dependency.product(name: "NeuroLinkProtocol", package: "NeuroLink")
let providers = Target.Dependency.product(name: "NeuroLinkProviders", package: "NeuroLink")
let core = Target.Dependency.product(name: "NeuroLinkCore", package: "NeuroLink")
let limits = Target.Dependency.product(name: "NeuroLinkLimits", package: "NeuroLink")
let http = Target.Dependency.product(name: "NeuroLinkHTTP", package: "NeuroLink")

let package = Package(
    name: "NeuroLinkFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "NeuroLink", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Input splitting, invariant checks and event-stream framing shared by the harnesses.
        .target(name: "FuzzSupport", swiftSettings: swiftSettings),
        // Runs a provider stream decoder the way the daemon does and checks it against itself.
        .target(
            name: "DecoderHarness",
            dependencies: ["FuzzSupport", providers, protocolModule],
            swiftSettings: swiftSettings
        ),
        harness(
            "frame",
            [
                protocolModule, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        harness("sse", [providers]),
        harness("ndjson", [providers]),
        harness("event-stream", [providers]),
        harness("openai", ["DecoderHarness", providers]),
        harness("anthropic", ["DecoderHarness", providers]),
        harness("gemini", ["DecoderHarness", providers]),
        harness("ollama", ["DecoderHarness", providers]),
        harness("bedrock", ["DecoderHarness", providers]),
        harness("sagemaker-openai", ["DecoderHarness", providers]),
        harness("sagemaker-tgi", ["DecoderHarness", providers]),
        // The stream decoders' fast paths (JSONFastScanner) against their full JSONDecoder paths.
        harness("fast-path", [providers, protocolModule]),
        harness("partial-json", [core, protocolModule]),
        harness("config", [core]),
        harness("headers", [core, limits, providers, http, protocolModule]),
    ]
)
