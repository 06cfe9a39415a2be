import LoopbackUpstream
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Upstream models the bench registers, one scenario each.
enum Model {
    /// One content piece, no delay: the time-to-first-token probe.
    static let ttft = "ttft"
    static let ttftPiece = "XTTFTX"
    /// `.stall`: headers, then nothing.
    static let stall = "stall"
    /// The soak's small answers.
    static let soak = "soak"
    static let soakPieces = 20
    static let soakDelay = Duration.milliseconds(2)

    /// `pieces` content pieces, no delay.
    static func throughput(_ pieces: Int) -> String { "tput-\(pieces)" }
    /// `pieces` content pieces, `delay` apart.
    static func paced(_ pieces: Int, _ delay: Duration) -> String { "paced-\(Int(delay.ms))ms-\(pieces)" }
    /// The paced level: 100 streams' events interleave about every 10 µs, so the daemon's threads
    /// seldom sleep between them.
    static let pacedDelay = Duration.milliseconds(1)
    /// The sparse level: tokens as far apart as a fast model sends them (tens of milliseconds), so
    /// that nearly every event wakes the daemon's threads from sleep.
    static let sparseDelay = Duration.milliseconds(20)

    static func register(on upstream: LoopbackUpstream, throughputPieces: [Int], pacedLevels: [Throughput.Level]) {
        for level in pacedLevels {
            guard let delay = level.pacing else { continue }
            upstream.register(
                model: level.model,
                .stream(OpenAIStream(pieces: Array(repeating: "tok ", count: level.pieces), delay: delay))
            )
        }
        upstream.register(model: ttft, .stream(OpenAIStream(pieces: [ttftPiece])))
        upstream.register(model: stall, .stall)
        upstream.register(
            model: soak,
            .stream(
                OpenAIStream(
                    pieces: Array(repeating: "tok ", count: soakPieces),
                    delay: soakDelay
                )
            )
        )
        for pieces in Set(throughputPieces) {
            upstream.register(
                model: throughput(pieces),
                .stream(OpenAIStream(pieces: Array(repeating: "tok ", count: pieces)))
            )
        }
    }

    /// The request the bench's clients send through the daemon.
    static func request(_ model: String) -> StreamRequest {
        StreamRequest(prompt: "bench", model: model)
    }

    /// The same chat request sent straight to the upstream, shaped like the daemon's own.
    static func directRequest(baseURL: String, model: String) -> HTTPRequest {
        let body = directBody(model: model)
        return HTTPRequest(
            method: "POST",
            url: baseURL + "/chat/completions",
            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")],
            body: Array(body.utf8)
        )
    }

    /// The body of ``directRequest(baseURL:model:)``.
    static func directBody(model: String) -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"bench"}],"stream":true,"#
            + #""stream_options":{"include_usage":true},"max_tokens":1000,"temperature":0.7}"#
    }

    /// Non-content events in a direct stream: the role chunk, the finish chunk and `[DONE]`
    /// (no usage chunk: the scenarios configure no usage).
    static let directOverheadEvents = 3
}
