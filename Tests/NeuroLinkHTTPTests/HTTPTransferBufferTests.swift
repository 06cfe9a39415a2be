import Synchronization
import Testing

@testable import NeuroLinkHTTP

/// What a transfer counts against its buffer limits: every byte the consumer has not taken yet.
@Suite struct HTTPTransferBufferTests {
    /// A transfer on a loop that never runs: drain reports go nowhere, which is all these need.
    static func transfer() throws -> HTTPTransfer {
        HTTPTransfer(loop: try CurlLoop())
    }

    @discardableResult
    static func offer(
        _ transfer: HTTPTransfer,
        bytes count: Int,
        verdict: HTTPTransfer.Admission = .accept(reportDrain: false)
    ) -> HTTPTransfer.Offer {
        [UInt8](repeating: UInt8(ascii: "x"), count: count).withUnsafeBytes { bytes in
            transfer.offer(bytes, head: { ResponseHead(status: 200, headers: []) }, admit: { _ in verdict })
        }
    }

    @Test func bytesStayCountedUntilTheConsumerTakesThem() async throws {
        let transfer = try Self.transfer()
        for _ in 0..<4 { Self.offer(transfer, bytes: 1000) }
        #expect(transfer.buffered(reportDrain: false) == 4000)
        guard case .head? = try await transfer.next() else {
            Issue.record("the head comes first")
            return
        }
        guard case .body(let first)? = try await transfer.next() else {
            Issue.record("then the body")
            return
        }
        #expect(first.count == 1000)
        // Three pieces are still waiting for the consumer: they count until it takes them.
        #expect(transfer.buffered(reportDrain: false) == 3000)
        #expect(transfer.nextBufferedBody()?.count == 1000)
        #expect(transfer.buffered(reportDrain: false) == 2000)
        Self.offer(transfer, bytes: 500)
        #expect(transfer.buffered(reportDrain: false) == 2500)
        var order: [Int] = []
        while let piece = transfer.nextBufferedBody() { order.append(piece.count) }
        #expect(order == [1000, 1000, 500], "first in, first out")
        #expect(transfer.buffered(reportDrain: false) == 0)
        #expect(transfer.nextBufferedBody() == nil)
    }

    @Test func aPausedTransferReportsItsDrainOnceHalfIsTaken() async throws {
        let transfer = try Self.transfer()
        for _ in 0..<4 { Self.offer(transfer, bytes: 1000) }
        #expect(Self.offer(transfer, bytes: 1000, verdict: .refuse) == .pause)
        _ = try await transfer.next()  // the head
        _ = try await transfer.next()
        #expect(transfer.state.withLock { $0.notifyOnDrain }, "3000 of 4000 left: not yet")
        _ = transfer.nextBufferedBody()
        #expect(!transfer.state.withLock { $0.notifyOnDrain }, "half taken: reported (and the request cleared)")
    }

    @Test func thePieceQueueIsFirstInFirstOutThroughCompactions() {
        var queue = PieceQueue()
        var expected: [Int] = []
        var taken: [Int] = []
        for round in 0..<1000 {
            queue.append([UInt8](repeating: 0, count: round % 7 + 1))
            expected.append(round % 7 + 1)
            if round % 3 == 2, let piece = queue.popFirst() { taken.append(piece.count) }
        }
        while let piece = queue.popFirst() { taken.append(piece.count) }
        #expect(taken == expected)
        #expect(queue.isEmpty && queue.count == 0)
    }
}
