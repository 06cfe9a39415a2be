import NeuroLinkClient
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Time from sending a request to receiving its first text chunk, sequentially, one request at a time.
enum TTFT {
    struct Result: Sendable {
        var through: Percentiles
        var direct: Percentiles

        /// The daemon's p99 less the direct path's; `nil` when the direct path's is the higher (its own
        /// slow request set the tail), where the difference says nothing about the daemon.
        var addedP99: Double? {
            let added = through.p99 - direct.p99
            return added >= 0 ? added : nil
        }
    }

    /// Microseconds per request through the daemon, on one NeuroLinkClient connection.
    static func throughDaemon(socket: String, count: Int, warmup: Int) async throws -> [Double] {
        try await NeuroLinkClient.withConnection(socketPath: socket) { client in
            var samples: [Double] = []
            samples.reserveCapacity(count)
            for index in 0..<(warmup + count) {
                let start = ContinuousClock.now
                var first: ContinuousClock.Instant?
                var texts = 0
                for try await chunk in client.stream(Model.request(Model.ttft)) where chunk.type == .text {
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
