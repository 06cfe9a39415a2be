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
