import Foundation
import Testing

@testable import NeuroLinkProviders

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_700_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Counts fetches and hands out numbered tokens, optionally slowly or failing.
final class ScriptedFetch: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var count = 0
    var failing = false
    let delay: Duration
    let lifetime: TimeInterval
    let clock: ManualClock

    init(clock: ManualClock, lifetime: TimeInterval = 3600, delay: Duration = .zero) {
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
    }

    func fetch() async -> Result<AccessToken, TokenFailure> {
        let (number, fail) = lock.withLock { () -> (Int, Bool) in
            count += 1
            return (count, failing)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        if fail { return .failure(TokenFailure("token endpoint down", retryable: true)) }
        return .success(AccessToken(value: Secret("token-\(number)"), lifetime: lifetime, now: clock.now))
    }
}

@Suite struct VertexTokenCacheTests {
    @Test func reusesTheTokenUntilFiveMinutesBeforeExpiry() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch(clock: clock)
        let cache = AccessTokenCache(clock: { clock.now }) { await fetch.fetch() }
        #expect(try await cache.token().value == "token-1")
        clock.advance(3299)  // 1 s before the refresh point (3600 − 300)
        #expect(try await cache.token().value == "token-1")
        #expect(fetch.count == 1)
        clock.advance(1)
        #expect(try await cache.token().value == "token-2")
        #expect(fetch.count == 2)
        await cache.invalidate()
        #expect(try await cache.token().value == "token-3")
    }

    @Test func concurrentRequestsShareOneRefresh() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch(clock: clock, delay: .milliseconds(100))
        let cache = AccessTokenCache(clock: { clock.now }) { await fetch.fetch() }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.token().value } }
            var tokens: [String] = []
            for try await token in group { tokens.append(token) }
            return tokens
        }
        #expect(tokens.count == 20 && Set(tokens) == ["token-1"])
        #expect(fetch.count == 1)
        #expect(await cache.fetchCount == 1)
    }

    @Test func aFailedRefreshFallsBackToTheUnexpiredTokenThenFails() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch(clock: clock)
        let cache = AccessTokenCache(clock: { clock.now }) { await fetch.fetch() }
        #expect(try await cache.token().value == "token-1")
        fetch.failing = true
        clock.advance(3400)  // due for refresh, not yet expired
        #expect(try await cache.token().value == "token-1")
        clock.advance(200)  // expired
        await #expect(throws: TokenFailure.self) { _ = try await cache.token() }
        fetch.failing = false
        #expect(try await cache.token().value == "token-4")  // failures are not remembered
    }

    @Test func shortLivedTokensRefreshHalfway() {
        let now = Date(timeIntervalSince1970: 0)
        let token = AccessToken(value: Secret("t"), lifetime: 240, now: now)
        #expect(
            token.refreshAt == Date(timeIntervalSince1970: 120) && token.expiresAt == Date(timeIntervalSince1970: 240)
        )
    }
}
