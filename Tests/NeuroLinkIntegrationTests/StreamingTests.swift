import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The real daemon streaming from a loopback OpenAI-format upstream, driven by the client library.
@Suite struct StreamingTests {
    @Test func streamedTextEqualsUpstreamText() async throws {
        try await LoopbackUpstream.with { upstream in
            let pieces = ["Once ", "upon a tíme ", "👋 世界", " \"quoted\"\n", "\\ done."]
            upstream.register(model: "story", .stream(OpenAIStream(pieces: pieces, usage: (prompt: 7, completion: 5))))
            try await DaemonProcess.withClient(config: loopConfig(upstream.baseURL)) { _, client in
                var chunks: [StreamChunk] = []
                var result: StreamResult?
                for try await event in client.streamEvents(StreamRequest(prompt: "Tell me a story", model: "story")) {
                    switch event {
                    case .chunk(let chunk): chunks.append(chunk)
                    case .result(let final): result = final
                    }
                }
                let text = chunks.filter { $0.type == .text }.compactMap(\.content).joined()
                #expect(text == pieces.joined())
                #expect(chunks.map(\.seq) == Array(0..<chunks.count))
                let finish = try #require(chunks.last)
                #expect(finish.type == .finish)
                #expect(finish.finishReason == .stop)
                #expect(
                    finish.usage == Usage(inputTokens: 7, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0)
                )
                let final = try #require(result)
                #expect(final.text == pieces.joined())
                #expect(final.provider == "loop")
                #expect(final.model == "story")
                #expect(final.chunks == chunks.count)
                #expect(final.timings.timeToFirstChunkMs != nil)
            }
            let request = try #require(upstream.requests().first { $0.model == "story" })
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(body["stream"] as? Bool == true)
            #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
            #expect(request.header("authorization") == nil)
        }
    }

    @Test func generateReturnsTheWholeAnswerWithoutChunks() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "gen",
                .stream(OpenAIStream(pieces: ["one ", "two"], usage: (prompt: 2, completion: 2)))
            )
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":9,"method":"generate","params":{"input":{"text":"x"},"model":"gen"}}"#
                    )
                    let (response, chunks) = try await connection.readUntilResponse(id: 9)
                    #expect(chunks.isEmpty)
                    let result = try #require(response["result"] as? [String: Any])
                    #expect(result["text"] as? String == "one two")
                    #expect(result["finishReason"] as? String == "stop")
                }
            }
        }
    }

    @Test func manyConcurrentStreamsOnOneConnection() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: (0..<20).map { "p\($0) " }, delay: .milliseconds(5))))
            try await DaemonProcess.withClient(config: loopConfig(upstream.baseURL)) { _, client in
                try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            var text = ""
                            for try await chunk in client.stream(
                                StreamRequest(prompt: "n\(index)", model: "m\(index)")
                            ) {
                                text += chunk.content ?? ""
                            }
                            return text
                        }
                    }
                    let expected = (0..<20).map { "p\($0) " }.joined()
                    for try await text in group { #expect(text == expected) }
                }
            }
        }
    }
}

/// Chunk arrival times in wall-clock time, in the serial group (`SerialTests`) that scripts/test.sh
/// runs alone: on a busy machine a delayed read makes two chunks look as if they came together.
@Suite(.serialized) struct StreamingSerialTests {
    @Test func chunksArriveBeforeTheUpstreamFinishes() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "slow",
                .stream(OpenAIStream(pieces: ["a", "b", "c", "d"], delay: .milliseconds(400)))
            )
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    let arrivals = try await Self.textArrivals(
                        connection,
                        request:
                            #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"slow"}}"#
                    )
                    #expect(arrivals.count == 4)
                    guard arrivals.count == 4 else { return }
                    // The upstream spends ≈1.6 s; each chunk must arrive when it is sent, not at the end.
                    #expect(arrivals[0] < .milliseconds(1000))
                    #expect(arrivals[1] - arrivals[0] > .milliseconds(200))
                    #expect(arrivals[2] - arrivals[1] > .milliseconds(200))
                    #expect(arrivals[3] - arrivals[2] > .milliseconds(200))
                }
            }
        }
    }

    /// Sends `request` and returns when each text chunk arrived.
    static func textArrivals(_ connection: FrameConnection, request: String) async throws -> [Duration] {
        let start = ContinuousClock.now
        try await connection.send(request)
        var arrivals: [Duration] = []
        while let message = try await connection.readMessage() {
            if let params = message["params"] as? [String: Any], params["type"] as? String == "text" {
                arrivals.append(ContinuousClock.now - start)
            } else if message["id"] != nil {
                break
            }
        }
        return arrivals
    }
}
