import NeuroLinkHTTP

/// The load generator of the HTTP front comparison: OpenAI chat requests over libcurl's multi
/// interface (the daemon's own `CurlLoop`, one thread, connections kept alive and reused), the
/// same code for every target so that only the target differs.
struct HTTPLoad: Sendable {
    /// Where requests go: the upstream itself, neurolinkd's HTTP front or LiteLLM's proxy.
    struct Endpoint: Sendable {
        var name: String
        /// Up to and including `/v1`.
        var baseURL: String
        /// The `model` field this endpoint routes to the bench's upstream model.
        var model: String
        var apiKey: String?
    }

    /// Requests completed in a timed run, and those that failed (a status other than 200, a
    /// transport error, or an answer without the expected text).
    struct Rate: Sendable {
        var completed: Int
        var failed: Int
        var elapsed: Duration
        var perSecond: Double { Double(completed) / elapsed.seconds }
    }

    let loop: CurlLoop
    let endpoint: Endpoint

    /// The body the upstream answers with: its first piece marks the first token.
    static let firstPiece = "XFIRSTX"
    static let pieces = [firstPiece] + Array(repeating: " tok", count: 7)

    func request(stream: Bool) -> HTTPRequest {
        let body =
            #"{"model":"\#(endpoint.model)","messages":[{"role":"user","content":"bench"}],"#
            + #""stream":\#(stream),"max_tokens":100}"#
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let key = endpoint.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key)")) }
        return HTTPRequest(
            method: "POST",
            url: endpoint.baseURL + "/chat/completions",
            headers: headers,
            body: Array(body.utf8)
        )
    }

    /// One request, read to its end. Returns when the first piece arrived (`nil` if it never did,
    /// or the status was not 200).
    func once(_ request: HTTPRequest) async -> ContinuousClock.Instant? {
        let marker = Array(Self.firstPiece.utf8)
        guard let transfer = try? loop.start(request) else { return nil }
        var first: ContinuousClock.Instant?
        var body: [UInt8] = []
        var ok = false
        do {
            while let event = try await transfer.next() {
                switch event {
                case .head(let head): ok = head.status == 200
                case .body(let bytes):
                    guard first == nil else { continue }
                    body += bytes
                    if body.containsBytes(marker) { first = .now }
                }
            }
        } catch {
            return nil
        }
        return ok ? first : nil
    }

    /// Microseconds per request, one at a time: to the end of the answer (`stream: false`), or to
    /// the first token (`stream: true`).
    func sequential(stream: Bool, count: Int, warmup: Int) async throws -> [Double] {
        let request = request(stream: stream)
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for index in 0..<(warmup + count) {
            let start = ContinuousClock.now
            guard let first = await once(request) else {
                throw BenchError.failed("\(endpoint.name): request \(index) failed (stream: \(stream))")
            }
            let end = stream ? first : ContinuousClock.now
            if index >= warmup { samples.append((end - start).us) }
        }
        return samples
    }

    /// `concurrency` clients each sending one request after another for `duration`.
    func rate(stream: Bool, concurrency: Int, duration: Duration) async -> Rate {
        let request = request(stream: stream)
        let start = ContinuousClock.now
        let deadline = start + duration
        let (completed, failed) = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var completed = 0
                    var failed = 0
                    while ContinuousClock.now < deadline {
                        if await once(request) != nil { completed += 1 } else { failed += 1 }
                    }
                    return (completed, failed)
                }
            }
            return await group.reduce(into: (0, 0)) { $0 = ($0.0 + $1.0, $0.1 + $1.1) }
        }
        return Rate(completed: completed, failed: failed, elapsed: .now - start)
    }
}
