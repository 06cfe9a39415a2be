import Foundation
import LoopbackUpstream
import Testing

@testable import NeuroLinkHTTP

/// The HTTP engine against a loopback upstream: the daemon-wide budget, resuming held-back
/// transfers without losing or repeating bytes, and the limit on paused time.
@Suite(.serialized) struct CurlLoopBudgetTests {
    static let piece = String(repeating: "x", count: 1000)
    /// libcurl hands the write callback at most this much at once; the budget may be exceeded by
    /// one such piece per transfer that had nothing buffered.
    static let maxWrite = 16 * 1024

    static func request(_ upstream: LoopbackUpstream, model: String) -> HTTPRequest {
        let body = #"{"model":"\#(model)","stream":true,"messages":[{"role":"user","content":"x"}]}"#
        return HTTPRequest(
            url: upstream.baseURL + "/chat/completions",
            headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(body.utf8)
        )
    }

    /// Polls the engine until `condition` holds or 30 s pass (generous: other suites run meanwhile);
    /// returns the last snapshot.
    static func waitFor(
        _ loop: CurlLoop,
        _ condition: (StreamBufferSnapshot) -> Bool
    ) async throws -> StreamBufferSnapshot {
        let deadline = ContinuousClock.now + .seconds(30)
        var snapshot = await loop.bufferSnapshot()
        while !condition(snapshot), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            snapshot = await loop.bufferSnapshot()
        }
        return snapshot
    }

    /// Reads a transfer to its end; returns the body.
    static func readAll(_ transfer: HTTPTransfer) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let event = try await transfer.next() {
            if case .body(let bytes) = event { body += bytes }
        }
        return body
    }

    static func occurrences(of needle: String, in body: [UInt8]) -> Int {
        String(decoding: body, as: UTF8.self).components(separatedBy: needle).count - 1
    }

    @Test func budgetRatherThanStreamBufferBoundsStalledTransfersAndAReaderStillFlows() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 20_000))))
            upstream.register(model: "small", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 2_000))))
            // Each stream could hold 1 MiB (6 MiB together); the budget allows 256 KiB in all.
            let budget = 256 * 1024
            let loop = try CurlLoop(highWaterBytes: 1 << 20, memoryBudgetBytes: budget, maxPaused: nil)
            loop.start()
            let stalled = try (0..<6).map { _ in try loop.start(Self.request(upstream, model: "big")) }

            let full = try await Self.waitFor(loop) { $0.pausedTransfers == 6 }
            #expect(full.pausedTransfers == 6, "every stalled transfer is paused: \(full)")
            #expect(full.bufferedBytes > budget / 2, "they filled the budget: \(full)")
            #expect(full.bufferedBytes <= budget + 6 * Self.maxWrite, "\(full)")
            #expect(full.peakBufferedBytes <= budget + 6 * Self.maxWrite, "\(full)")
            #expect(full.budgetHeldTransfers >= 1, "\(full)")

            // A transfer whose consumer reads gets everything while the others hold the budget.
            let body = try await Self.readAll(try loop.start(Self.request(upstream, model: "small")))
            #expect(Self.occurrences(of: Self.piece, in: body) == 2_000)
            let after = await loop.bufferSnapshot()
            #expect(after.peakBufferedBytes <= budget + 7 * Self.maxWrite, "\(after)")
            #expect(after.pausedTransfers == 6, "the stalled ones stay paused: \(after)")
            #expect(!upstream.requests().contains { $0.model == "big" && $0.completedAt != nil })

            stalled.forEach { $0.cancel() }
            let drained = try await Self.waitFor(loop) { $0.activeTransfers == 0 }
            #expect(drained.bufferedBytes == 0 && drained.budgetHeldTransfers == 0, "\(drained)")
            await loop.shutdown()
        }
    }

    /// Transfers held back by the budget resume once it frees up, and the bytes libcurl kept
    /// while they were paused arrive exactly once.
    @Test func heldBackTransferResumesWhenTheBudgetFreesUpAndLosesNothing() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 20_000))))
            upstream.register(model: "mid", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 3_000))))
            let budget = 256 * 1024
            let loop = try CurlLoop(highWaterBytes: 1 << 20, memoryBudgetBytes: budget, maxPaused: nil)
            loop.start()
            let hogs = try (0..<4).map { _ in try loop.start(Self.request(upstream, model: "big")) }
            let mid = try loop.start(Self.request(upstream, model: "mid"))
            let full = try await Self.waitFor(loop) { $0.pausedTransfers == 5 }
            #expect(full.pausedTransfers == 5, "\(full)")

            hogs.forEach { $0.cancel() }
            // `mid` held about a fifth of the budget; it resumes and fills the freed budget alone
            // before the budget pauses it again.
            let freed = try await Self.waitFor(loop) {
                $0.activeTransfers == 1 && $0.pausedTransfers == 1 && $0.bufferedBytes > budget / 2
            }
            #expect(
                freed.activeTransfers == 1 && freed.pausedTransfers == 1 && freed.bufferedBytes > budget / 2,
                "\(freed)"
            )

            let body = try await Self.readAll(mid)
            #expect(Self.occurrences(of: Self.piece, in: body) == 3_000, "every piece exactly once")
            #expect(String(decoding: body.suffix(20), as: UTF8.self).contains("[DONE]"))
            await loop.shutdown()
        }
    }

    @Test func transferPausedLongerThanTheLimitEndsWhileAReaderCompletes() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 20_000))))
            // Lasts about 1 s, well over the limit, but its consumer keeps up.
            upstream.register(
                model: "paced",
                .stream(OpenAIStream(pieces: Array(repeating: "p", count: 40), delay: .milliseconds(25)))
            )
            let loop = try CurlLoop(
                highWaterBytes: 64 * 1024,
                memoryBudgetBytes: 64 << 20,
                maxPaused: .milliseconds(300)
            )
            loop.start()
            let started = ContinuousClock.now
            let stalled = try loop.start(Self.request(upstream, model: "big"))

            let paced = try await Self.readAll(try loop.start(Self.request(upstream, model: "paced")))
            #expect(Self.occurrences(of: #""content":"p""#, in: paced) == 40)

            let closed = try #require(await upstream.waitForConnectionClose(model: "big", timeout: .seconds(5)))
            let closedAt = try #require(closed.clientClosedAt, "the daemon closed the upstream connection")
            #expect(closedAt - started >= .milliseconds(300))
            #expect(closed.completedAt == nil)
            let snapshot = await loop.bufferSnapshot()
            #expect(snapshot.pausedTimeouts == 1 && snapshot.activeTransfers == 0, "\(snapshot)")

            // The consumer gets the head, then the error: the bytes nobody took were dropped.
            var events = 0
            do throws(TransferError) {
                while try await stalled.next() != nil { events += 1 }
                Issue.record("the stalled transfer completed")
            } catch {
                #expect(error == .paused(limit: .milliseconds(300)))
            }
            #expect(events == 1)
            await loop.shutdown()
        }
    }

    @Test func pausedLimitDisabledKeepsAStalledTransfer() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: Self.piece, count: 20_000))))
            let loop = try CurlLoop(highWaterBytes: 64 * 1024, memoryBudgetBytes: 64 << 20, maxPaused: nil)
            loop.start()
            let stalled = try loop.start(Self.request(upstream, model: "big"))
            _ = try await Self.waitFor(loop) { $0.pausedTransfers == 1 }
            try await Task.sleep(for: .milliseconds(600))
            let snapshot = await loop.bufferSnapshot()
            #expect(snapshot.pausedTransfers == 1 && snapshot.pausedTimeouts == 0, "\(snapshot)")
            stalled.cancel()
            await loop.shutdown()
        }
    }
}
