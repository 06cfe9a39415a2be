import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// Garbage on one connection gets a precise error and never disturbs another connection's stream.
@Suite struct BadInputTests {
    @Test func badInputIsAnsweredWhileAnotherStreamCompletesUntouched() async throws {
        try await LoopbackUpstream.with { upstream in
            let pieces = (0..<30).map { "t\($0) " }
            upstream.register(model: "steady", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(30))))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { good in
                    try await good.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"steady"}}"#
                    )

                    try await FrameConnection.with(path: daemon.socketPath) { bad in
                        // Valid framing, not JSON: parse error, connection stays usable.
                        try await bad.send("this is not json")
                        var reply = try #require(try await bad.readMessage())
                        #expect(reply.errorCode == -32700 && reply.errorType == "parse_error")
                        #expect(reply["id"] is NSNull)
                        // Invalid UTF-8.
                        try await bad.sendRaw([0, 0, 0, 3, 0xFF, 0xFE, 0xFD])
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorType == "parse_error")
                        // Not a request object.
                        try await bad.send("[1,2,3]")
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorCode == -32600)
                        try await bad.send(#"{"jsonrpc":"1.0","id":5,"method":"health"}"#)
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorType == "invalid_request" && reply["id"] as? Int == 5)
                        // Unknown method.
                        try await bad.send(#"{"jsonrpc":"2.0","id":6,"method":"fly"}"#)
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorCode == -32601 && reply.errorType == "unknown_method")
                        // Bad params.
                        try await bad.send(
                            #"{"jsonrpc":"2.0","id":7,"method":"stream","params":{"input":{"text":"x"},"maxTokens":-3}}"#
                        )
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorCode == -32602 && reply.errorType == "invalid_params")
                        #expect(
                            ((reply["error"] as? [String: Any])?["message"] as? String)?.contains("maxTokens") == true
                        )
                        try await bad.send(
                            #"{"jsonrpc":"2.0","id":8,"method":"stream","params":{"input":{"text":"x"},"provider":"nope"}}"#
                        )
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorType == "provider_not_found")
                        // Still usable.
                        try await bad.send(#"{"jsonrpc":"2.0","id":9,"method":"health"}"#)
                        reply = try #require(try await bad.readMessage())
                        #expect((reply["result"] as? [String: Any])?["status"] as? String == "ok")
                        // Oversize frame: error, then the connection is closed.
                        try await bad.sendRaw([0x01, 0x10, 0x00, 0x00])  // 17 MiB announced
                        reply = try #require(try await bad.readMessage())
                        #expect(reply.errorType == "frame_too_large")
                        #expect(reply.errorData?["maxFrameBytes"] as? Int == 16 * 1024 * 1024)
                        #expect(await bad.isClosedByPeer())
                        // Random garbage on a third connection.
                        try await FrameConnection.with(path: daemon.socketPath) { garbage in
                            var generator = SystemRandomNumberGenerator()
                            try await garbage.sendRaw(
                                (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
                            )

                            let (response, chunks) = try await good.readUntilResponse(id: 1)
                            #expect(chunks.compactMap { $0["content"] as? String }.joined() == pieces.joined())
                            #expect((response["result"] as? [String: Any])?["text"] as? String == pieces.joined())
                        }
                    }
                }
            }
        }
    }

    @Test func duplicateRunningIdIsRejected() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["a", "b"], delay: .milliseconds(200))))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":"x","method":"stream","params":{"input":{"text":"1"}}}"#
                    )
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":"x","method":"stream","params":{"input":{"text":"2"}}}"#
                    )
                    var types: [String] = []
                    while types.count < 2, let message = try await connection.readMessage() {
                        if message["id"] as? String == "x" { types.append(message.errorType ?? "ok") }
                    }
                    #expect(types == ["duplicate_request_id", "ok"])
                }
            }
        }
    }
}
