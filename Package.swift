// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The shipped executables link with the toolchain's lld and pack their relative relocations
/// (DT_RELR, glibc 2.36+): gold wrote 136,000 of them as 3.2 MB of `.rela.dyn`, read and kept
/// resident at every start; packed they take 27 KB (docs/benchmarks.md, "Idle RSS"). They export
/// no symbols of their own: `-static-stdlib` asks for `--export-dynamic`, which put 42,000 of
/// neurolinkd's symbols in its dynamic table, and the Swift runtime's start-up `dladdr` scans
/// that table from end to end.
let compactRelocations: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux])
    )
]

/// Release links put the code that start-up, requests, streaming and idle run first and side by side,
/// in the order of scripts/symbol-order/order.txt (written by scripts/symbol-order.sh from traced runs),
/// and the functions without a name together (scripts/symbol-order/private-functions.ld). The kernel
/// maps a file's pages 64 KiB at a time around each fault, so code scattered over the binary's 30 MiB
/// made most of it resident (docs/benchmarks.md, "Idle RSS"). Both work per section: build with
/// scripts/release-build.sh (`-function-sections` for every module). Names the list no longer finds
/// are skipped; code added since is laid out after the listed code.
let orderedCode: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/symbol-order/order.txt",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/scripts/symbol-order/private-functions.ld",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "NeuroLink",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "neurolinkd", targets: ["neurolinkd"]),
        .executable(name: "nlctl", targets: ["nlctl"]),
        .library(name: "NeuroLinkClient", targets: ["NeuroLinkClient"]),
        .library(name: "NeuroLinkProtocol", targets: ["NeuroLinkProtocol"]),
        // For the sibling Benchmarks package only: the HTTP engine (to measure the upstream directly)
        // and the loopback upstream. Not part of NeuroLink's public API.
        .library(name: "NeuroLinkHTTP", targets: ["NeuroLinkHTTP"]),
        .library(name: "LoopbackUpstream", targets: ["LoopbackUpstream"]),
        // Also for Benchmarks only: the limiter, to measure admission overhead without a daemon.
        .library(name: "NeuroLinkLimits", targets: ["NeuroLinkLimits"]),
        // For tests and Benchmarks only: a raw frame connection and a seeded random generator.
        .library(name: "NeuroLinkTestSupport", targets: ["NeuroLinkTestSupport"]),
        // For the sibling Fuzz package only: the parsers it fuzzes (provider stream decoders,
        // structured output, configuration). Not part of NeuroLink's public API.
        .library(name: "NeuroLinkProviders", targets: ["NeuroLinkProviders"]),
        .library(name: "NeuroLinkCore", targets: ["NeuroLinkCore"]),
        // For Benchmarks only: the analytics writer, to measure its capacity without a daemon.
        .library(name: "NeuroLinkAnalytics", targets: ["NeuroLinkAnalytics"]),
        // For Benchmarks only: the response cache and the embedding model, measured in process.
        .library(name: "NeuroLinkCache", targets: ["NeuroLinkCache"]),
        .library(name: "NeuroLinkEmbedding", targets: ["NeuroLinkEmbedding"]),
        .library(name: "NeuroLinkSecurity", targets: ["NeuroLinkSecurity"]),
        .library(name: "NeuroLinkAudit", targets: ["NeuroLinkAudit"]),
        .library(name: "NeuroLinkMemory", targets: ["NeuroLinkMemory"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // libcurl (Debian libcurl4-openssl-dev) with non-variadic shims.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libsystemd (Debian libsystemd-dev): sd_notify, watchdog, socket activation, journal.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // libedit (Debian libedit-dev): line editing and history for `nlctl chat`.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Remembers a SIGTERM/SIGINT that arrives before the daemon's signal handling is in place
        // (a constructor installs the handler before main); linked by neurolinkd only.
        .target(name: "CEarlyStop"),
        // The Swift face of libsystemd; linked by neurolinkd only (never by nlctl or NeuroLinkClient).
        .target(
            name: "NeuroLinkSystemd",
            dependencies: ["CSystemd", "NeuroLinkBasics", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // Saturating arithmetic and conversions for numbers from outside (providers, clients,
        // configuration): Duration ↔ milliseconds, Double → Int, counters. No dependencies.
        .target(name: "NeuroLinkBasics", swiftSettings: strict),
        // Wire types and framing shared by the daemon and every client.
        .target(
            name: "NeuroLinkProtocol",
            dependencies: ["NeuroLinkBasics", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // Routing state without I/O: failure classes, circuit breakers, backoff, the retry budget,
        // member statistics and selection strategies, and the per-pool runtime that combines them.
        .target(
            name: "NeuroLinkRouting",
            dependencies: ["NeuroLinkBasics", "NeuroLinkProtocol"],
            swiftSettings: strict
        ),
        // Rate limits without I/O: GCRA buckets behind a store interface, the four limit scopes,
        // provider-reported limits, adaptive concurrency, the admission queue and presets.
        .target(name: "NeuroLinkLimits", dependencies: ["NeuroLinkBasics"], swiftSettings: strict),
        // Async client over the Unix socket; links neither curl nor libsystemd.
        .target(
            name: "NeuroLinkClient",
            dependencies: [
                "NeuroLinkProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Outbound HTTP: one libcurl multi handle driven by a dedicated thread.
        .target(
            name: "NeuroLinkHTTP",
            dependencies: ["CCurl", "NeuroLinkBasics", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Stream decoders (SSE, ...) and provider adapters.
        .target(
            name: "NeuroLinkProviders",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", "NeuroLinkHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RS256 signatures of the JWTs that Vertex service accounts exchange for access tokens.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Configuration, provider registry and the request pipeline; no sockets, no systemd.
        .target(
            name: "NeuroLinkCore",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", "NeuroLinkHTTP", "NeuroLinkProviders", "NeuroLinkRouting",
                "NeuroLinkLimits", "NeuroLinkSecurity", "NeuroLinkTools",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The shipped model prices, compiled into the binary: no resource bundle to install.
            resources: [.embedInCode("Accounting/pricing.json")],
            swiftSettings: strict
        ),
        // Metrics: instrumented with swift-metrics, rendered in the Prometheus format by swift-prometheus.
        .target(
            name: "NeuroLinkMetrics",
            dependencies: [
                "NeuroLinkProtocol", "NeuroLinkCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // Alert rules without I/O: the window of recent requests and the rules' states.
        .target(name: "NeuroLinkAlerts", dependencies: ["NeuroLinkProtocol", "NeuroLinkCore"], swiftSettings: strict),
        // The request store: every request's record in SQLite (GRDB), written in batches by one
        // background writer, and the reports and exports computed from it.
        .target(
            name: "NeuroLinkAnalytics",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", "NeuroLinkCore", "NeuroLinkRouting", "NeuroLinkLimits",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The RPC server and the daemon's lifecycle.
        // The local sentence-embedding model of the semantic cache: all-MiniLM-L6-v2 over OpenBLAS.
        // COpenBLAS is cblas.h only: the model opens libopenblas.so.0 with dlopen when it loads.
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "NeuroLinkEmbedding", dependencies: ["COpenBLAS", "NeuroLinkBasics"], swiftSettings: strict),
        // The response cache's store: memory LRU and SQLite (GRDB), answers compressed with zlib.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "NeuroLinkCache",
            dependencies: [
                "CZlib", "COpenBLAS", "NeuroLinkBasics", "NeuroLinkCore", "NeuroLinkEmbedding", "NeuroLinkProtocol",
                "NeuroLinkProviders", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            // The meaning guard's English word lists, compiled into the binary.
            resources: [.embedInCode("Semantic/GuardWords.json")],
            swiftSettings: strict
        ),
        // Security detectors without I/O: PII and secret redaction, content filters, the
        // prompt-injection scorer.
        .target(
            name: "NeuroLinkSecurity",
            // The protocol module for its JSON parser (the rule file).
            dependencies: ["NeuroLinkProtocol"],
            // The injection scorer's phrase rules and attack exemplars, compiled into the binary.
            resources: [
                .embedInCode("Injection/InjectionPhrases.json"), .embedInCode("Injection/AttackExemplars.json"),
            ],
            swiftSettings: strict
        ),
        // The tools the daemon runs itself: time, arithmetic, files below configured roots.
        .target(name: "NeuroLinkTools", swiftSettings: strict),
        // The tamper-evident audit log: SQLite (GRDB) rows chained by SHA-256.
        .target(
            name: "NeuroLinkAudit",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // MCP servers as tool sources: stdio children and Streamable HTTP, supervised and restarted.
        .target(
            name: "NeuroLinkMCP",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        // Conversation memory: sessions' turns in SQLite (GRDB), scoped by tenant, with a TTL.
        .target(
            name: "NeuroLinkMemory",
            dependencies: ["NeuroLinkBasics", "NeuroLinkProtocol", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "NeuroLinkDaemon",
            dependencies: [
                "NeuroLinkBasics", "NeuroLinkProtocol", "NeuroLinkCore", "NeuroLinkHTTP", "NeuroLinkProviders",
                "NeuroLinkSystemd", "NeuroLinkLimits", "NeuroLinkAnalytics", "NeuroLinkMetrics", "NeuroLinkAlerts",
                "NeuroLinkCache", "NeuroLinkEmbedding", "NeuroLinkAudit", "NeuroLinkMemory", "NeuroLinkMCP",
                "CEarlyStop",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // nlctl's commands as a library so tests can drive them.
        .target(
            name: "NeuroLinkCommands",
            dependencies: [
                "CEditLine", "NeuroLinkBasics", "NeuroLinkClient", "NeuroLinkProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "neurolinkd",
            dependencies: ["NeuroLinkDaemon"],
            swiftSettings: strict,
            linkerSettings: compactRelocations + orderedCode
        ),
        .executableTarget(
            name: "nlctl",
            dependencies: ["NeuroLinkCommands"],
            swiftSettings: strict,
            linkerSettings: compactRelocations + orderedCode
        ),
        // A small MCP server (stdio and Streamable HTTP) for the tests, built with the same SDK.
        .executableTarget(
            name: "mcp-test-server",
            dependencies: [
                .product(name: "MCP", package: "swift-sdk"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/MCPTestServer",
            swiftSettings: strict
        ),

        // Loopback HTTP upstreams speaking providers' wire formats, for tests and benchmarks only.
        .target(
            name: "LoopbackUpstream",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Optimised in debug builds too: the test suite streams hundreds of megabytes through
            // it, and unoptimised it took a sixth of the suite's CPU time.
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),

        // Raw frame connections and seeded randomness for tests and benchmarks; never in the product.
        .target(
            name: "NeuroLinkTestSupport",
            dependencies: [
                "NeuroLinkClient", "NeuroLinkProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "NeuroLinkBasicsTests", dependencies: ["NeuroLinkBasics"], swiftSettings: strict),
        .testTarget(
            name: "NeuroLinkProtocolTests",
            dependencies: [
                "NeuroLinkProtocol", "NeuroLinkTestSupport", .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkRoutingTests",
            dependencies: ["NeuroLinkRouting", "NeuroLinkProtocol", "NeuroLinkTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkLimitsTests",
            dependencies: ["NeuroLinkLimits", "NeuroLinkTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkHTTPTests",
            dependencies: ["NeuroLinkHTTP", "LoopbackUpstream"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkSystemdTests",
            dependencies: ["NeuroLinkSystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkProvidersTests",
            dependencies: [
                "NeuroLinkProviders", "NeuroLinkCore", "NeuroLinkHTTP", "LoopbackUpstream", "NeuroLinkTestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkCoreTests",
            dependencies: [
                "NeuroLinkCore", "NeuroLinkProviders", "NeuroLinkProtocol", "NeuroLinkHTTP", "NeuroLinkLimits",
                "NeuroLinkSecurity", "NeuroLinkTools", "LoopbackUpstream",
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkAnalyticsTests",
            dependencies: [
                "NeuroLinkAnalytics", "NeuroLinkCore", "NeuroLinkProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkMCPTests",
            dependencies: [
                "NeuroLinkMCP", "NeuroLinkProtocol", "NeuroLinkTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkMemoryTests",
            dependencies: ["NeuroLinkMemory", "NeuroLinkProtocol", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkAuditTests",
            dependencies: [
                "NeuroLinkAudit", "NeuroLinkProtocol", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkToolsTests",
            dependencies: ["NeuroLinkTools", "NeuroLinkTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkSecurityTests",
            dependencies: ["NeuroLinkSecurity", "NeuroLinkTestSupport"],
            // Read by path: the labelled injection prompts.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkCacheTests",
            dependencies: ["NeuroLinkCache", "NeuroLinkCore", "NeuroLinkEmbedding", "NeuroLinkProtocol"],
            // Read by path: the reference embeddings and the labelled pairs of the semantic tier.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkAlertsTests",
            dependencies: ["NeuroLinkAlerts", "NeuroLinkCore", "NeuroLinkProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkCommandsTests",
            dependencies: ["NeuroLinkCommands"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkDaemonTests",
            dependencies: [
                "NeuroLinkDaemon",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NeuroLinkIntegrationTests",
            dependencies: [
                "NeuroLinkClient", "NeuroLinkProtocol", "LoopbackUpstream", "NeuroLinkTestSupport",
                // Only to recompute SigV4 signatures of recorded Bedrock requests.
                "NeuroLinkProviders",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // Test tooling run by the tests with the openai SDK's python.
            exclude: ["HTTPFront/openai_sdk_check.py"],
            swiftSettings: strict
        ),
    ]
)
