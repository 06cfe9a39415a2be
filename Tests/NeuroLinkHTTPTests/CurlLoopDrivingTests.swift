import LoopbackUpstream
import Synchronization
import Testing

@testable import NeuroLinkHTTP

/// Who drives libcurl: a transfer started while the loop sleeps is started by the caller itself, without a
/// wake-up of the loop thread; commands that find libcurl busy wait in the inbox and keep their meaning.
@Suite struct CurlLoopDrivingTests {
    static func request(_ upstream: LoopbackUpstream) -> HTTPRequest {
        let body = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}"#
        return HTTPRequest(
            url: upstream.baseURL + "/chat/completions",
            headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(body.utf8)
        )
    }

    static func readAll(_ transfer: HTTPTransfer) async throws -> String {
        var body: [UInt8] = []
        while let event = try await transfer.next() {
            if case .body(let bytes) = event { body += bytes }
        }
        return String(decoding: body, as: UTF8.self)
    }

    @Test func sequentialTransfersStartWithoutWakingTheLoop() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["hello"])))
            let loop = try CurlLoop()
            loop.start()
            // The first transfer opens the connection the others reuse.
            #expect(try await Self.readAll(loop.start(Self.request(upstream))).contains("hello"))
            let before = loop.wakeUps.load(ordering: .relaxed)
            let count = 20
            for _ in 0..<count {
                #expect(try await Self.readAll(loop.start(Self.request(upstream))).contains("hello"))
            }
            let wakeUps = loop.wakeUps.load(ordering: .relaxed) - before
            // Queued through the inbox, each start would wake the sleeping loop once.
            #expect(wakeUps < count / 2, "the loop was woken \(wakeUps) times for \(count) transfers")
            await loop.shutdown()
        }
    }

    @Test func aTransferCancelledWhileQueuedIsNeverStarted() async throws {
        try await LoopbackUpstream.with { upstream in
            let loop = try CurlLoop()
            loop.start()
            let transfer = try loop.start(Self.request(upstream))
            transfer.cancel()
            // Its `add` reaching libcurl after the cancel (queued while another thread drove libcurl).
            let context = EasyContext(transfer: transfer, request: Self.request(upstream))
            let started = loop.engine.withLock { _ in
                _ = loop.run(.add(context))
                return loop.loopState.active[ObjectIdentifier(transfer)] != nil || context.easy != nil
            }
            #expect(!started)
            await #expect(throws: TransferError.cancelled) { try await transfer.next() }
            await loop.shutdown()
        }
    }

    @Test func startAfterShutdownIsRefused() async throws {
        try await LoopbackUpstream.with { upstream in
            let loop = try CurlLoop()
            loop.start()
            await loop.shutdown()
            #expect(throws: TransferError.shutdown) { try loop.start(Self.request(upstream)) }
            // Starting the engine again does not reopen an inbox that no thread would drain.
            loop.start()
            #expect(throws: TransferError.shutdown) { try loop.start(Self.request(upstream)) }
            #expect(await loop.ping() == false)
        }
    }
}

/// A consumer reading inside `cancellingOnTaskCancellation` with `nextInCancellingScope` (one
/// cancellation handler for the whole read, as the pipeline's upstream call reads) is cancelled
/// with its task as a consumer of `next()` is: its wait ends with `cancelled` and the upstream
/// connection closes.
@Suite struct CancellingScopeTests {
    @Test func cancellingTheTaskEndsAWaitInTheScopeAndTheUpstream() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stall)
            let loop = try CurlLoop()
            loop.start()
            let transfer = try loop.start(CurlLoopDrivingTests.request(upstream))
            let reader = Task {
                try await transfer.cancellingOnTaskCancellation {
                    while try await transfer.nextInCancellingScope() != nil {}
                }
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while upstream.requests().isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(50))  // the reader is waiting for a body by now
            reader.cancel()
            let cancelledAt = ContinuousClock.now
            while upstream.requests().first?.clientClosedAt == nil, ContinuousClock.now < cancelledAt + .seconds(2) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(upstream.requests().first?.clientClosedAt != nil, "the upstream connection was closed")
            transfer.cancel()  // Unblocks the reader if its task's cancellation did not reach the transfer.
            await #expect(throws: TransferError.cancelled) { try await reader.value }
            await loop.shutdown()
        }
    }
}
