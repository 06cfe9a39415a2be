import LoopbackUpstream
import Testing

@testable import NeuroLinkHTTP

/// Connections to a provider are kept and reused: every avoidable new connection is a TCP (and, with a real
/// provider, TLS) handshake on some request's time to first chunk.
@Suite struct CurlLoopConnectionReuseTests {
    typealias Driving = CurlLoopDrivingTests

    @Test func sequentialTransfersShareOneConnection() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["hello"])))
            let loop = try CurlLoop()
            loop.start()
            for _ in 0..<10 {
                #expect(try await Driving.readAll(loop.start(Driving.request(upstream))).contains("hello"))
            }
            #expect(upstream.connectionsAccepted == 1)
            await loop.shutdown()
        }
    }

    /// Between bursts, fewer transfers are in progress than connections are open; the connections stay
    /// for the next burst.
    @Test func aBurstReusesTheConnectionsOfTheBurstBefore() async throws {
        try await Self.threeBursts(of: 16, loop: CurlLoop())
    }

    /// Past the cache's floor, libcurl keeps as many connections as were ever in use at once.
    @Test func aBurstWiderThanTheCacheFloorKeepsItsConnectionsToo() async throws {
        let loop = try CurlLoop(
            highWaterBytes: 256 * 1024,
            memoryBudgetBytes: 64 << 20,
            maxPaused: nil,
            connectionCacheFloor: 2,
            logger: nil
        )
        try await Self.threeBursts(of: 16, loop: loop)
    }

    static func threeBursts(of width: Int, loop: CurlLoop) async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["hello"])))
            loop.start()
            for _ in 0..<3 {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<width {
                        group.addTask { try await Driving.readAll(loop.start(Driving.request(upstream))) }
                    }
                    for try await body in group { #expect(body.contains("hello")) }
                }
            }
            #expect(upstream.connectionsAccepted <= width, "\(upstream.connectionsAccepted) connections for \(width)")
            await loop.shutdown()
        }
    }
}
