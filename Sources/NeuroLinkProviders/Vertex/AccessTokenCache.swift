import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps one access token for a provider and fetches a new one shortly before it expires.
///
/// Concurrent requests that find the token stale share a single fetch: the first starts it and
/// the others wait for its result, so a burst of requests never fetches a burst of tokens. A
/// failed fetch is not remembered (the next request tries again), but while the previous token
/// has not actually expired it is still handed out.
actor AccessTokenCache {
    /// Obtains a new token. A `Result` rather than a typed-throws closure: the Swift 6.3
    /// compiler crashes lowering some typed-throws closure literals.
    typealias Fetch = @Sendable () async -> Result<AccessToken, TokenFailure>

    private let fetch: Fetch
    private let clock: @Sendable () -> Date
    private var current: AccessToken?
    private var refreshing: Task<Result<AccessToken, TokenFailure>, Never>?
    /// Fetches started so far; for tests and diagnostics.
    private(set) var fetchCount = 0

    /// - Parameters:
    ///   - fetch: obtains a new token; called once per refresh, never concurrently with itself.
    ///   - clock: the current time; injectable so tests can move through a token's lifetime.
    init(clock: @escaping @Sendable () -> Date = { Date() }, fetch: @escaping Fetch) {
        self.clock = clock
        self.fetch = fetch
    }

    /// A token that is not due for refresh, fetching one first when needed.
    func token() async throws(TokenFailure) -> Secret {
        if let current, clock() < current.refreshAt { return current.value }
        let task: Task<Result<AccessToken, TokenFailure>, Never>
        if let refreshing {
            task = refreshing
        } else {
            fetchCount += 1
            task = Task { [fetch] in await fetch() }
            refreshing = task
        }
        let result = await task.value
        // Only the first waiter to resume updates the state; the task is still the same one then.
        if refreshing == task {
            refreshing = nil
            if case .success(let token) = result { current = token }
        }
        switch result {
        case .success(let token):
            return token.value
        case .failure(let failure):
            if let current, clock() < current.expiresAt { return current.value }
            throw failure
        }
    }

    /// Forgets the token, e.g. after the provider rejected it, so the next request fetches a new one.
    func invalidate() {
        current = nil
    }
}
