import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The client column of the fault matrix (docs/robustness.md, "Fault matrix"): what a local client
/// can do to the daemon. Each cell runs a real daemon and checks that the faulty connection gets
/// its documented answer (or is closed), that a normal stream meanwhile on another connection
/// finishes byte for byte, and that the daemon still answers `health` (SIGTERM and SIGKILL: that
/// it exits cleanly, or that a restarted daemon serves).
@Suite struct ClientFaultMatrixTests {
    /// Small limits so each client fault bites within a second.
    static let server = """
        server:
          max_frame_bytes: 1024
          frame_read_timeout_ms: 200
          stream_buffer_bytes: 16384
          max_paused_ms: 400
          max_connections: 24
          drain_timeout_ms: 3000
        routing:
          health_check:
            interval_ms: 0
        """

    /// 200 pieces 30 ms apart: still running whenever a fault strikes.
    static let long = "long"
    /// About 20 MB as fast as the connection takes it: more than every buffer on the way (loopback TCP
    /// buffers grow to several MB) can hold for a client that does not read.
    static let big = "big"

    static func streamFrame(id: Int, model: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"stream","params":{"input":{"text":"x"},"model":"\#(model)"}}"#
    }

    /// A daemon on a loopback upstream serving the reference answer, `long` and `big`.
    static func withDaemon(_ body: (LoopbackUpstream, DaemonProcess) async throws -> Void) async throws {
        try await LoopbackUpstream.with { upstream in
            register(on: upstream)
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL, extra: server)) { daemon in
                try await body(upstream, daemon)
            }
        }
    }

    static func register(on upstream: LoopbackUpstream) {
        let reference = OpenAIStream(pieces: FaultMatrix.referenceScript.pieces, delay: .milliseconds(30))
        upstream.register(model: FaultMatrix.referenceModel, .stream(reference))
        upstream.register(
            model: long,
            .stream(OpenAIStream(pieces: (0..<200).map { "w\($0) " }, delay: .milliseconds(30)))
        )
        let piece = String(repeating: "x", count: 1000)
        upstream.register(model: big, .stream(OpenAIStream(pieces: Array(repeating: piece, count: 20_000))))
    }

    @Test func clientVanishesMidStream() async throws {
        try await Self.withDaemon { upstream, daemon in
            try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(Self.streamFrame(id: 1, model: Self.long))
                    _ = try await connection.readMessage()
                }  // closed here, mid-stream
                let closed = await upstream.waitForConnectionClose(model: Self.long, timeout: .seconds(5))
                #expect(closed?.clientClosedAt != nil, "the daemon must abort the upstream of a vanished client")
            }
            // Nobody is left to tell: the request is counted as cancelled.
            let counted = await eventually(within: .seconds(5)) {
                let totals = try? await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
                    try await $0.status().totals
                }
                return totals?.cancelled == 1
            }
            #expect(counted)
            try await expectDaemonUp(daemon, "client vanishes")
        }
    }

    @Test func clientStopsReading() async throws {
        try await Self.withDaemon { upstream, daemon in
            try await FrameConnection.with(path: daemon.socketPath) { stalled in
                try await stalled.send(Self.streamFrame(id: 1, model: Self.big))
                try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                    let closed = await upstream.waitForConnectionClose(model: Self.big, timeout: .seconds(10))
                    #expect(closed?.clientClosedAt != nil, "the paused stream's upstream must be closed")
                }
                // Reading at last: what was on its way, then `timeout`/`paused`.
                let (response, _) = try await stalled.readUntilResponse(id: 1, timeout: .seconds(10))
                #expect(response.errorType == "timeout", "\(response)")
                #expect(response.errorData?["timeout"] as? String == "paused")
                #expect(response.errorData?["retryable"] as? Bool == false)
                #expect(response.errorData?["failureClass"] as? String == "client")
            }
            try await expectDaemonUp(daemon, "client stops reading")
        }
    }

    @Test func garbageFrames() async throws {
        try await Self.withDaemon { _, daemon in
            try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                try await FrameConnection.with(path: daemon.socketPath) { bad in
                    try await bad.send("this is not json")
                    var reply = try #require(try await bad.readMessage())
                    #expect(reply.errorCode == -32700 && reply.errorType == "parse_error" && reply["id"] is NSNull)
                    try await bad.sendRaw([0, 0, 0, 3, 0xFF, 0xFE, 0xFD])
                    reply = try #require(try await bad.readMessage())
                    #expect(reply.errorType == "parse_error")
                    try await bad.send("[1,2,3]")
                    reply = try #require(try await bad.readMessage())
                    #expect(reply.errorCode == -32600 && reply.errorType == "invalid_request")
                    // The connection stays usable.
                    try await bad.send(#"{"jsonrpc":"2.0","id":9,"method":"health"}"#)
                    reply = try #require(try await bad.readMessage())
                    #expect((reply["result"] as? [String: Any])?["status"] as? String == "ok")
                }
            }
            try await expectDaemonUp(daemon, "garbage frames")
        }
    }

    @Test func oversizeFrame() async throws {
        try await Self.withDaemon { _, daemon in
            try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                try await FrameConnection.with(path: daemon.socketPath) { bad in
                    try await bad.send(Self.streamFrame(id: 1, model: Self.long))
                    _ = try await bad.readMessage()
                    try await bad.sendRaw([0, 0, 0x04, 0x01])  // 1025 bytes announced, over the 1024 limit
                    var reply: [String: Any]?
                    while reply == nil, let message = try await bad.readMessage() {
                        if message["id"] is NSNull { reply = message }
                    }
                    #expect(reply?.errorType == "frame_too_large" && reply?.errorCode == -32001)
                    #expect(reply?.errorData?["maxFrameBytes"] as? Int == 1024)
                    #expect(await bad.isClosedByPeer())
                }
            }
            try await expectDaemonUp(daemon, "oversize frame")
        }
    }

    @Test func slowFrameIsClosedWithoutAnAnswer() async throws {
        try await Self.withDaemon { _, daemon in
            try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                try await FrameConnection.with(path: daemon.socketPath) { slow in
                    // 100 bytes announced, 10 sent, then nothing.
                    try await slow.sendRaw([0, 0, 0, 100] + Array(repeating: UInt8(ascii: "{"), count: 10))
                    #expect(try await slow.readMessage(timeout: .seconds(5)) == nil, "closed without an answer")
                }
            }
            #expect(daemon.log.contains("a frame did not arrive whole in time"))
            try await expectDaemonUp(daemon, "slow frame")
        }
    }

    @Test func connectionFlood() async throws {
        try await Self.withDaemon { _, daemon in
            try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                // 40 connections against `max_connections: 24`, one of which the reference holds.
                let answers = try await FrameConnection.with(path: daemon.socketPath, count: 40) { flood in
                    var answers: [String] = []
                    for connection in flood {
                        try? await connection.send(#"{"jsonrpc":"2.0","id":1,"method":"health"}"#)
                        let message = try? await connection.readMessage(timeout: .seconds(5))
                        if message?.errorType == "overloaded", message?["id"] is NSNull,
                            await connection.isClosedByPeer(within: .seconds(5))
                        {
                            answers.append("overloaded")
                        } else if (message?["result"] as? [String: Any])?["status"] as? String == "ok" {
                            answers.append("ok")
                        } else {
                            answers.append("\(String(describing: message))")
                        }
                    }
                    return answers
                }
                let ok = answers.filter { $0 == "ok" }.count
                let refused = answers.filter { $0 == "overloaded" }.count
                #expect(ok + refused == 40, "\(answers)")
                #expect(ok <= 23 && refused >= 17, "ok \(ok), refused \(refused)")
            }
            // Once the flood is gone, new connections are served again.
            let served = await eventually(within: .seconds(5)) {
                (try? await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { try await $0.health() })?
                    .status == "ok"
            }
            #expect(served)
            try await expectDaemonUp(daemon, "connection flood")
        }
    }

    /// SIGTERM mid-stream: the daemon drains instead of staying up. A short stream finishes byte
    /// for byte, a stream longer than `drain_timeout_ms` ends with `shutting_down`, new work is
    /// refused with `shutting_down`, `health` says `draining`, and the exit status is 0.
    @Test func sigtermMidStream() async throws {
        try await LoopbackUpstream.with { upstream in
            Self.register(on: upstream)
            let daemon = try await DaemonProcess(config: loopConfig(upstream.baseURL, extra: Self.server))
            do {
                try await Self.terminateMidStream(daemon)
                #expect(await daemon.waitForExit(timeout: .seconds(10)) == 0)
            } catch {
                Issue.record("daemon log:\n\(daemon.log.suffix(4000))")
                await daemon.stop()
                throw error
            }
            await daemon.stop()
        }
    }

    private static func terminateMidStream(_ daemon: DaemonProcess) async throws {
        try await FrameConnection.with(path: daemon.socketPath) { long in
            try await long.send(streamFrame(id: 1, model: Self.long))
            _ = try await long.readMessage()
            try await FrameConnection.with(path: daemon.socketPath) { open in
                try await withConcurrentReference(socketPath: daemon.socketPath, expected: FaultMatrix.referenceText) {
                    daemon.send(SIGTERM)
                    let draining = await eventually(within: .seconds(5)) {
                        try? await open.send(#"{"jsonrpc":"2.0","id":2,"method":"health"}"#)
                        let reply = try? await open.readMessage(timeout: .seconds(2))
                        return (reply?["result"] as? [String: Any])?["status"] as? String == "draining"
                    }
                    #expect(draining, "health on an open connection says draining")
                    try await open.send(streamFrame(id: 3, model: FaultMatrix.referenceModel))
                    let (refused, _) = try await open.readUntilResponse(id: 3)
                    #expect(refused.errorType == "shutting_down", "\(refused)")
                    #expect(refused.errorData?["retryable"] as? Bool == true)
                }
            }
            let (ended, chunks) = try await long.readUntilResponse(id: 1, timeout: .seconds(10))
            #expect(ended.errorType == "shutting_down", "\(ended)")
            #expect(ended.errorData?["provider"] as? String == "loop")
            #expect(chunks.count < 200, "the long stream was ended at the drain deadline")
        }
    }

    /// SIGKILL mid-stream: the client learns the connection closed; a daemon started again on the
    /// same socket path replaces the stale socket and serves normally.
    @Test func sigkillThenRestart() async throws {
        try await LoopbackUpstream.with { upstream in
            Self.register(on: upstream)
            let config = loopConfig(upstream.baseURL, extra: Self.server)
            let killed = try await DaemonProcess(config: config)
            do {
                try await Self.killMidStream(killed)
            } catch {
                Issue.record("daemon log:\n\(killed.log.suffix(4000))")
                await killed.stop()
                throw error
            }
            #expect(await killed.waitForExit() != nil)
            let aborted = await upstream.waitForConnectionClose(model: Self.long, timeout: .seconds(5))
            #expect(aborted?.clientClosedAt != nil, "the kernel closes a killed daemon's upstream connections")

            let restarted = try await DaemonProcess(config: config, directory: killed.directory)
            do {
                #expect(restarted.log.contains("removed a stale socket"), "\(restarted.log.suffix(2000))")
                try await withConcurrentReference(
                    socketPath: restarted.socketPath,
                    expected: FaultMatrix.referenceText
                ) {}
                try await expectDaemonUp(restarted, "restart after SIGKILL")
            } catch {
                Issue.record("daemon log:\n\(restarted.log.suffix(4000))")
                await restarted.stop()
                throw error
            }
            await restarted.stop()
        }
    }

    private static func killMidStream(_ daemon: DaemonProcess) async throws {
        try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
            var received = 0
            do {
                for try await _ in client.stream(StreamRequest(prompt: "x", model: Self.long)) {
                    received += 1
                    if received == 1 { daemon.send(SIGKILL) }
                }
                Issue.record("a stream whose daemon was killed must fail")
            } catch NeuroLinkClientError.connectionClosed {
                #expect(received < 200)
            }
        }
    }
}
