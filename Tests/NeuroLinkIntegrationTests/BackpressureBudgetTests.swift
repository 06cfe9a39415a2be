import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

/// The daemon-wide memory budget for stream buffers and the limit on paused time, through the
/// real daemon: clients that stop reading cannot make it grow without bound or hold an upstream
/// forever, and clients that read are not held back by them.
@Suite struct BackpressureBudgetTests {
    static let piece = String(repeating: "x", count: 1000)

    static func streamRequest(id: Int, model: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"stream","params":{"input":{"text":"x"},"model":"\#(model)"}}"#
    }

    /// Reads `connection` to the response for `id`: the text received and the response.
    static func readText(
        _ connection: FrameConnection,
        id: Int
    ) async throws -> (text: Int, response: [String: Any]) {
        let (response, chunks) = try await connection.readUntilResponse(id: id, timeout: .seconds(30))
        let text = chunks.reduce(0) {
            $0 + (($1["type"] as? String) == "text" ? (($1["content"] as? String)?.utf8.count ?? 0) : 0)
        }
        return (text, response)
    }

    /// `status.streamBuffers` (the HTTP engine's buffer snapshot), when this daemon reports it.
    static func streamBuffers(_ daemon: DaemonProcess) async throws -> [String: Any]? {
        var response: [String: Any] = [:]
        try await FrameConnection.with(path: daemon.socketPath) { connection in
            try await connection.send(#"{"jsonrpc":"2.0","id":99,"method":"status"}"#)
            response = try await connection.readUntilResponse(id: 99).response
        }
        return (response["result"] as? [String: Any])?["streamBuffers"] as? [String: Any]
    }

    /// Eight clients that stop reading, each allowed 8 MiB of buffer by `stream_buffer_bytes`
    /// (64 MiB together), under a 1 MiB budget: the daemon holds about the budget, not 64 MiB,
    /// and a ninth client that reads gets its whole answer meanwhile.
    @Test func budgetBoundsStalledStreamsAndAReaderCompletes() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 40_000))))
            upstream.register(model: "small", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 2_000))))
            let budget = 1 << 20
            let config = loopConfig(
                upstream.baseURL,
                extra: """
                    server:
                      stream_buffer_bytes: 8388608
                      stream_memory_budget_bytes: \(budget)
                    """
            )
            try await DaemonProcess.with(config: config) { daemon in
                // Warm up (threads, connection pools) so the baseline is not the idle daemon's.
                try await FrameConnection.with(path: daemon.socketPath) { warm in
                    try await warm.send(Self.streamRequest(id: 1, model: "small"))
                    _ = try await Self.readText(warm, id: 1)
                }
                let baseline = daemon.rssKiB

                try await FrameConnection.with(path: daemon.socketPath, count: 8) { stalled in
                    for (index, connection) in stalled.enumerated() {
                        try await connection.send(Self.streamRequest(id: index + 1, model: "big"))
                    }
                    try await Task.sleep(for: .seconds(2))  // not reading

                    try await FrameConnection.with(path: daemon.socketPath) { reader in
                        try await reader.send(Self.streamRequest(id: 1, model: "small"))
                        let (text, response) = try await Self.readText(reader, id: 1)
                        #expect(text == Self.piece.utf8.count * 2_000, "the reading client got everything")
                        #expect(response["result"] != nil)

                        let grown = daemon.rssKiB - baseline
                        #expect(
                            grown < 24 * 1024,
                            "daemon RSS grew by \(grown) KiB; unbounded per-stream buffers would hold 64 MiB"
                        )
                        #expect(
                            daemon.log.contains("stream buffers reached the memory budget"),
                            "the budget, not the stream buffers, stopped them"
                        )
                        #expect(
                            !upstream.requests().contains { $0.model == "big" && $0.completedAt != nil },
                            "the stalled streams are paused"
                        )
                        if let buffers = try await Self.streamBuffers(daemon) {
                            let slack = 9 * 16 * 1024  // one libcurl write per stream
                            let buffered = buffers["bufferedBytes"] as? Int ?? .max
                            let peak = buffers["peakBufferedBytes"] as? Int ?? .max
                            #expect(buffered <= budget + slack, "\(buffers)")
                            #expect(peak <= budget + slack, "\(buffers)")
                            #expect(buffers["pausedTransfers"] as? Int == 8, "\(buffers)")
                        }
                    }
                }
            }
        }
    }

    /// With `max_paused_ms: 500`, a client that reads nothing gets `timeout`/`paused` and its
    /// upstream is closed, while a client that reads a longer stream completes it.
    @Test func streamPausedTooLongEndsWithPausedTimeoutAndOthersComplete() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 4_000))))
            upstream.register(
                model: "paced",
                .stream(OpenAIStream(pieces: Array(repeating: "p", count: 60), delay: .milliseconds(25)))
            )
            let config = loopConfig(
                upstream.baseURL,
                extra: """
                    server:
                      stream_buffer_bytes: 65536
                      max_paused_ms: 500
                    """
            )
            try await DaemonProcess.with(config: config) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { stalled in
                    let sentAt = ContinuousClock.now
                    try await stalled.send(Self.streamRequest(id: 1, model: "big"))

                    // About 1.5 s of streaming, three times the limit: a client that keeps reading is never cut.
                    try await FrameConnection.with(path: daemon.socketPath) { reader in
                        try await reader.send(Self.streamRequest(id: 7, model: "paced"))
                        let (text, response) = try await Self.readText(reader, id: 7)
                        #expect(text == 60)
                        #expect(response["result"] != nil, "\(response)")

                        let closed = try #require(
                            await upstream.waitForConnectionClose(model: "big", timeout: .seconds(5))
                        )
                        let closedAt = try #require(
                            closed.clientClosedAt,
                            "the daemon closed the stalled stream's upstream"
                        )
                        #expect(closedAt - sentAt >= .milliseconds(500))
                        #expect(closed.completedAt == nil)

                        // The stalled client, reading at last: what was already on its way, then the error.
                        let (received, error) = try await Self.readText(stalled, id: 1)
                        #expect(received < Self.piece.utf8.count * 4_000, "the stream was ended early")
                        #expect(error.errorType == "timeout", "\(error)")
                        #expect(error.errorCode == -32008)
                        #expect(error.errorData?["timeout"] as? String == "paused")
                        #expect(error.errorData?["retryable"] as? Bool == false)
                        let message = (error["error"] as? [String: Any])?["message"] as? String ?? ""
                        #expect(
                            message == "loop: the client read nothing for 500 ms; the stream was ended",
                            "\(message)"
                        )

                        // The daemon is unaffected.
                        try await FrameConnection.with(path: daemon.socketPath) { again in
                            try await again.send(Self.streamRequest(id: 2, model: "paced"))
                            #expect(try await Self.readText(again, id: 2).response["result"] != nil)
                        }
                    }
                }
            }
        }
    }
}
