import Foundation
import NeuroLinkClient
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Content chunks per second relayed at a given number of concurrent streams.
enum Throughput {
    struct Level: Sendable {
        var streams: Int
        var pieces: Int
        /// Pieces this far apart, so that each provider event arrives in its own read (as a real
        /// model's tokens do), instead of all at once.
        var pacing: Duration?
        var totalChunks: Int { streams * pieces }
        var label: String {
            "\(streams) × \(pieces.formatted())\(pacing.map { " paced \(Int($0.ms)) ms apart" } ?? "")"
        }
        var model: String { pacing.map { Model.paced(pieces, $0) } ?? Model.throughput(pieces) }
    }

    enum Mode: String, Sendable {
        /// Through the daemon, read with NeuroLinkClient (every frame JSON-decoded by the client).
        case client
        /// Through the daemon, read by a minimal NIO client that only counts frames.
        case raw
        /// Straight to the upstream with CurlLoop, counting SSE events.
        case direct
        /// The relay floor (``RelayFloor``): one thread reading each event and writing it on, in a child process.
        case floor
        /// The relay floor with each event handed from a reading thread to a writing one.
        case floorHandOff = "floor, two threads"
    }

    struct Run: Sendable {
        var level: Level
        var mode: Mode
        /// Text chunks (content pieces) received.
        var chunks: Int
        var elapsed: Duration
        /// Streams whose chunk count was not the expected one.
        var bad: Int
        /// Daemon CPU during the run (through-daemon modes only; the relay thread's for the floor).
        var daemonCPUMs: Double?
        /// The daemon's heap allocations during the run (`--allocations`, through-daemon modes).
        var allocations: Int?

        var chunksPerSecond: Double { Double(chunks) / elapsed.seconds }
        /// Daemon CPU milliseconds per 1,000 relayed chunks.
        var cpuMsPer1000: Double? { daemonCPUMs.map { $0 * 1000 / Double(max(chunks, 1)) } }
        var allocationsPerChunk: Double? { allocations.map { Double($0) / Double(max(chunks, 1)) } }

        /// The run in one line, for the bench's progress output.
        var progressLine: String {
            let whose = mode == .client || mode == .raw ? "daemon" : "relay threads"
            let cpu = cpuMsPer1000.map { ", \(whose) CPU \(fmt($0)) ms/1k chunks" } ?? ""
            let allocations = allocationsPerChunk.map { ", \(fmt($0)) allocations/chunk" } ?? ""
            return "throughput \(level.label) \(mode.rawValue): \(fmt(chunksPerSecond, 0)) chunks/s in "
                + "\(fmt(elapsed.seconds, 2)) s\(cpu)\(allocations)\(bad > 0 ? ", \(bad) BAD" : "")"
        }
    }

    /// Streams per NeuroLinkClient connection (the last connection of a level may carry fewer).
    static let streamsPerConnection = 50

    static func connections(for streams: Int) -> [Int] {
        stride(from: 0, to: streams, by: streamsPerConnection).map { min(streamsPerConnection, streams - $0) }
    }

    // MARK: Through the daemon with NeuroLinkClient

    static func throughClient(socket: String, level: Level) async throws -> (chunks: Int, bad: Int, elapsed: Duration) {
        let model = level.model
        let start = ContinuousClock.now
        let (chunks, bad) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for streams in connections(for: level.streams) {
                group.addTask {
                    try await NeuroLinkClient.withConnection(socketPath: socket) { client in
                        try await withThrowingTaskGroup(of: Int.self) { inner in
                            for _ in 0..<streams {
                                inner.addTask {
                                    var texts = 0
                                    for try await chunk in client.stream(Model.request(model)) where chunk.type == .text
                                    {
                                        texts += 1
                                    }
                                    return texts
                                }
                            }
                            var total = 0
                            var bad = 0
                            for try await texts in inner {
                                total += texts
                                if texts != level.pieces { bad += 1 }
                            }
                            return (total, bad)
                        }
                    }
                }
            }
            return try await group.reduce(into: (0, 0)) {
                $0.0 += $1.0
                $0.1 += $1.1
            }
        }
        return (chunks, bad, .now - start)
    }

    // MARK: Through the daemon with a counting client

    static func throughRaw(socket: String, level: Level) async throws -> (chunks: Int, bad: Int, elapsed: Duration) {
        let model = level.model
        let start = ContinuousClock.now
        let counts = try await withThrowingTaskGroup(of: RawFrameClient.Counts.self) { group in
            for streams in connections(for: level.streams) {
                group.addTask {
                    try await RawFrameClient.run(socket: socket, streams: streams, request: Model.request(model))
                }
            }
            return try await group.reduce(into: RawFrameClient.Counts()) { $0.add($1) }
        }
        // Every stream ends with one `finish` chunk; the rest are text chunks.
        let texts = counts.chunkFrames - level.streams
        let bad = counts.errors + (texts == level.totalChunks ? 0 : 1)
        return (texts, bad, .now - start)
    }

    // MARK: Straight to the upstream

    static func direct(baseURL: String, level: Level) async throws -> (chunks: Int, bad: Int, elapsed: Duration) {
        let loop = try CurlLoop()
        loop.start()
        let request = Model.directRequest(baseURL: baseURL, model: level.model)
        let start = ContinuousClock.now
        let result: (Int, Int)
        do {
            result = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<level.streams {
                    group.addTask {
                        let transfer = try loop.start(request)
                        var counter = SSEEventCounter()
                        while let event = try await transfer.next() {
                            if case .body(let bytes) = event { counter.feed(bytes) }
                        }
                        return counter.events - Model.directOverheadEvents
                    }
                }
                var total = 0
                var bad = 0
                for try await texts in group {
                    total += texts
                    if texts != level.pieces { bad += 1 }
                }
                return (total, bad)
            }
        } catch {
            await loop.shutdown()
            throw error
        }
        let elapsed = ContinuousClock.now - start
        await loop.shutdown()
        return (result.0, result.1, elapsed)
    }

    static func run(
        _ mode: Mode,
        level: Level,
        socket: String,
        baseURL: String,
        daemon: DaemonHarness,
        limit: Duration,
        countAllocations: Bool = false
    ) async throws -> Run {
        let counter = countAllocations && mode != .direct ? try AllocationCounter(pid: daemon.pid) : nil
        let ticksBefore = daemon.cpuTicks
        let outcome = try await withDeadline(limit, "throughput \(mode.rawValue) \(level.label)") {
            switch mode {
            case .client: return try await throughClient(socket: socket, level: level)
            case .raw: return try await throughRaw(socket: socket, level: level)
            case .direct: return try await direct(baseURL: baseURL, level: level)
            case .floor, .floorHandOff: throw BenchError.failed("the relay floor runs through RelayFloor.run")
            }
        }
        let cpu = mode == .direct ? nil : ProcStats.cpuMs(ticks: daemon.cpuTicks - ticksBefore)
        let allocations = counter?.stop()
        return Run(
            level: level,
            mode: mode,
            chunks: outcome.chunks,
            elapsed: outcome.elapsed,
            bad: outcome.bad,
            daemonCPUMs: cpu,
            allocations: allocations
        )
    }
}
