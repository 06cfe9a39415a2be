// swift-tools-version:6.1
import PackageDescription

// NeuroLink's benchmark: a plain executable (no benchmark framework, to keep the build short)
// that drives a release `neurolinkd` against a loopback upstream. Run it with `Benchmarks/run.sh`;
// see docs/benchmarks.md.
let package = Package(
    name: "NeuroLinkBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "NeuroLink", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "neurolink-bench",
            dependencies: [
                .product(name: "NeuroLinkClient", package: "NeuroLink"),
                .product(name: "NeuroLinkProtocol", package: "NeuroLink"),
                .product(name: "NeuroLinkHTTP", package: "NeuroLink"),
                .product(name: "LoopbackUpstream", package: "NeuroLink"),
                .product(name: "NeuroLinkLimits", package: "NeuroLink"),
                .product(name: "NeuroLinkTestSupport", package: "NeuroLink"),
                .product(name: "NeuroLinkAnalytics", package: "NeuroLink"),
                .product(name: "NeuroLinkCore", package: "NeuroLink"),
                .product(name: "NeuroLinkCache", package: "NeuroLink"),
                .product(name: "NeuroLinkEmbedding", package: "NeuroLink"),
                .product(name: "NeuroLinkSecurity", package: "NeuroLink"),
                .product(name: "NeuroLinkProviders", package: "NeuroLink"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
