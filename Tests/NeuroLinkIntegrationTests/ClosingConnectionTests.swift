import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

/// When the daemon ends a connection (here for an oversize frame), what it queued for the client before the close
/// still reaches a client that reads late.
@Suite struct ClosingConnectionTests {
    /// Answers from about what the socket holds to well past it: the smaller ones end while the client is not
    /// reading, with their last frames still in the daemon's write buffer (where a plain close dropped them, the
    /// oversize frame's error behind them); the 2 MB one stalls the daemon's writes.
    @Test(arguments: [160, 224, 256, 2_000])
    func everythingQueuedBeforeAnOversizeFrameIsDelivered(_ kilobytes: Int) async throws {
        try await LoopbackUpstream.with { upstream in
            let piece = String(repeating: "x", count: 1000)
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: piece, count: kilobytes))))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"big"}}"#
                    )
                    try await Task.sleep(for: .milliseconds(500))  // not reading
                    try await connection.sendRaw([0x01, 0x10, 0x00, 0x00])  // 17 MiB announced
                    try await Task.sleep(for: .milliseconds(300))
                    var errors: [String] = []
                    var streamEnded = false
                    while let message = try await connection.readMessage() {
                        if let type = message.errorType { errors.append(type) }
                        if message["id"] as? Int == 1 { streamEnded = true }
                    }
                    #expect(errors.contains("frame_too_large"), "\(kilobytes) KB: errors \(errors)")
                    #expect(streamEnded, "\(kilobytes) KB: the stream's result (or the error that ended it) was lost")
                }
            }
        }
    }
}
