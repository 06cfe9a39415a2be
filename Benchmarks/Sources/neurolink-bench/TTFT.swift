import NeuroLinkClient
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Time from sending a request to receiving its first text chunk, sequentially, one request at a time.
enum TTFT {
    struct Result: Sendable {
        var through: Percentiles
        var direct: Percentiles
        /// Through a daemon whose every stage before the upstream call does its work (``inputStages``).
        var inputStages: Percentiles?

        /// The daemon's p99 less the direct path's; `nil` when the direct path's is the higher (its own
        /// slow request set the tail), where the difference says nothing about the daemon.
        var addedP99: Double? {
            let added = through.p99 - direct.p99
            return added >= 0 ? added : nil
        }
    }

    /// Microseconds per request through the daemon, on one NeuroLinkClient connection; `request` makes the
    /// request of each round (the same one by default).
    static func throughDaemon(
        socket: String,
        count: Int,
        warmup: Int,
        request: @Sendable (_ round: Int) -> StreamRequest = { _ in Model.request(Model.ttft) }
    ) async throws -> [Double] {
        try await NeuroLinkClient.withConnection(socketPath: socket) { client in
            var samples: [Double] = []
            samples.reserveCapacity(count)
            for index in 0..<(warmup + count) {
                let start = ContinuousClock.now
                var first: ContinuousClock.Instant?
                var texts = 0
                for try await chunk in client.stream(request(index)) where chunk.type == .text {
                    if first == nil { first = .now }
                    texts += 1
                }
                guard let first, texts == 1 else {
                    throw BenchError.failed("ttft through daemon: expected 1 text chunk, got \(texts)")
                }
                if index >= warmup { samples.append((first - start).us) }
            }
            return samples
        }
    }

    /// Microseconds per request straight to the upstream with the daemon's HTTP engine: from
    /// starting the transfer to the first body bytes that hold the content piece.
    static func direct(baseURL: String, count: Int, warmup: Int) async throws -> [Double] {
        let loop = try CurlLoop()
        loop.start()
        let request = Model.directRequest(baseURL: baseURL, model: Model.ttft)
        let marker = Array(Model.ttftPiece.utf8)
        do {
            var samples: [Double] = []
            samples.reserveCapacity(count)
            for index in 0..<(warmup + count) {
                let start = ContinuousClock.now
                let transfer = try loop.start(request)
                var first: ContinuousClock.Instant?
                var body: [UInt8] = []
                while let event = try await transfer.next() {
                    guard first == nil, case .body(let bytes) = event else { continue }
                    body += bytes
                    if body.containsBytes(marker) { first = .now }
                }
                guard let first else { throw BenchError.failed("ttft direct: the content never arrived") }
                if index >= warmup { samples.append((first - start).us) }
            }
            await loop.shutdown()
            return samples
        } catch {
            await loop.shutdown()
            throw error
        }
    }
}

extension TTFT {
    /// Added to the bench's config by ``inputStages``: input redaction, the one input check that is off by
    /// default. Analytics, audit, validation, injection detection (`flag`) and the exact cache are on already.
    static let inputStagesConfig = """
        security:
          redaction: {input: true}
        """

    /// Microseconds per request through a daemon of its own with every stage before the upstream call doing its
    /// work: analytics and audit, validation, injection detection, input redaction (scanning a prompt with nothing
    /// to redact, as most are) and an exact-cache lookup that misses. Each request is deterministic (temperature 0,
    /// so the cache looks it up) with a prompt no earlier one had; its answer is then stored. A repeat of the
    /// first prompt at the end must be a hit, or the lookups were not made.
    static func inputStages(daemonPath: String, baseURL: String, count: Int, warmup: Int) async throws -> [Double] {
        let daemon = try DaemonHarness(binary: daemonPath, upstreamBaseURL: baseURL, extraConfig: inputStagesConfig)
        defer { daemon.stop() }
        _ = try daemon.waitUntilAccepting()
        let request: @Sendable (Int) -> StreamRequest = { round in
            StreamRequest(prompt: "bench \(round): summarise the meeting notes", model: Model.ttft, temperature: 0)
        }
        let samples = try await throughDaemon(socket: daemon.socketPath, count: count, warmup: warmup, request: request)
        let repeated = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
            try await $0.generate(request(0))
        }
        guard repeated.cache?.status == .hit else {
            throw BenchError.failed("ttft with the input stages: a repeated prompt was not a cache hit")
        }
        return samples
    }
}
