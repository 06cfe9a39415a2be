import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// `NeuroLinkClient` keeps back-pressure end to end: an application that stops consuming stops
/// the client reading its connection, so the daemon pauses the upstream instead of anyone
/// buffering the answer.
@Suite struct ClientBackpressureTests {
    // ≈ 8 MB of content, more than the socket and loopback TCP buffers hold, in 4 KB chunks: what
    // these tests cost is per chunk.
    static let piece = String(repeating: "z", count: 4000)
    static let count = 2000

    @Test func aConsumerThatPausesKeepsTheDaemonBufferBoundedThenGetsEverythingInOrder() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "big",
                .stream(OpenAIStream(pieces: (0..<Self.count).map { "\($0 % 10)" + Self.piece.dropFirst() }))
            )
            let config = loopConfig(upstream.baseURL, extra: "server:\n  stream_buffer_bytes: 65536\n")
            try await DaemonProcess.withClient(config: config) { daemon, client in
                var chunks = client.stream(StreamRequest(prompt: "x", model: "big")).makeAsyncIterator()
                var received: [String] = []
                while received.count < 10, let chunk = try await chunks.next() {
                    if let content = chunk.content { received.append(content) }
                }
                // The application pauses for two seconds without consuming.
                try await Task.sleep(for: .seconds(2))
                let request = try #require(upstream.requests().first { $0.model == "big" })
                #expect(request.completedAt == nil, "the upstream must be paused, not drained into a buffer")
                let status = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
                    try await $0.status()
                }
                let buffered = status.streamBuffers?.bufferedBytes ?? -1
                #expect(buffered >= 0 && buffered <= 65536 + 64 * 1024, "daemon buffers \(buffered) bytes")
                while let chunk = try await chunks.next() {
                    if let content = chunk.content { received.append(content) }
                }
                #expect(received.count == Self.count)
                #expect(received.enumerated().allSatisfy { $1.first == Character("\($0 % 10)") }, "in order")
            }
        }
    }

    /// `nlctl stream` into a pipe nobody reads: its memory stays flat (it used to grow by about
    /// 95 MB in 3 s as the library buffered the whole answer), and nothing is lost afterwards.
    @Test func nlctlWithItsOutputBlockedStaysSmallAndLosesNothing() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "big",
                .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: Self.count)))
            )
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
                process.arguments = ["--socket", daemon.socketPath, "stream", "-m", "big", "x"]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                try await Task.sleep(for: .seconds(3))
                let rss = residentKiB(process.processIdentifier)
                #expect(rss > 0 && rss < 64 * 1024, "nlctl resident memory \(rss) KiB while its output was blocked")
                let bytes = await readToEnd(output.fileHandleForReading)
                while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
                #expect(process.terminationStatus == 0)
                #expect(bytes.count >= Self.piece.utf8.count * Self.count)
            }
        }
    }

    private func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
