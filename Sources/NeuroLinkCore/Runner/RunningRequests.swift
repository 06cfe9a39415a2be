import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting
import Synchronization

/// The connection (or other grouping) a request belongs to: request ids are unique within a scope,
/// `cancel` finds requests by id within it, and closing a connection cancels its whole scope.
public struct RequestScope: Sendable, Hashable {
    let id: UInt64

    /// Requests that belong to no connection (health checks, in-process callers).
    public static let detached = RequestScope(id: 0)
}

/// Every request the daemon is running, in one place: cancel by id within a connection, cancel a
/// connection's requests when it closes, counts for `status`, the caps that keep one client from
/// taking the daemon, and the drain, which waits for the count to reach zero without polling.
public final class RunningRequests: Sendable {
    /// Caps checked when a request registers.
    public struct Limits: Sendable, Hashable {
        /// Most requests running at once on one connection (scope); `detached` is not capped.
        public var perScope: Int
        /// Most requests running at once for one tenant, whatever its connections.
        public var perTenant: Int

        public init(perScope: Int = 256, perTenant: Int = 512) {
            self.perScope = perScope
            self.perTenant = perTenant
        }
    }

    private struct State {
        var scopes: [RequestScope: [RPCID: RequestContext]] = [:]
        var perTenant: [TenantKey: Int] = [:]
        var count = 0
        var draining = false
        var nextScope: UInt64 = 1
        var nextWaiter = 0
        var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// A new scope, one per connection.
    /// Every running request, for `nlctl top`.
    public var running: [RequestContext] {
        state.withLock { state in state.scopes.values.flatMap(\.values) }
    }

    public func makeScope() -> RequestScope {
        state.withLock { state in
            defer { state.nextScope &+= 1 }
            return RequestScope(id: state.nextScope)
        }
    }

    /// Registers a request, or refuses it: the daemon is draining, the id is still running in the
    /// same scope, or the connection or the tenant is at its cap.
    public func register(
        id: RPCID,
        method: String,
        caller: Caller,
        scope: RequestScope
    ) throws(RPCError) -> RequestContext {
        let context = RequestContext(id: id, method: method, caller: caller, scope: scope)
        let refusal: RPCError? = state.withLock { state in
            if state.draining {
                return RPCError(.shuttingDown, "the daemon is shutting down and accepts no new requests")
            }
            // Looked up in place: a local copy of the scope's dictionary would make the insertion
            // below copy it whole, on every request.
            if state.scopes[scope]?[id] != nil {
                return RPCError(.duplicateRequestId, "a request with id \(id) is still running on this connection")
            }
            let running = state.scopes[scope]?.count ?? 0
            if scope != .detached, running >= limits.perScope {
                return RPCError(
                    .overloaded,
                    "this connection already runs \(running) requests, the most allowed "
                        + "(server.max_requests_per_connection); wait for one to finish",
                    data: ErrorData(type: .overloaded, retryable: true)
                )
            }
            let tenantCount = state.perTenant[caller.tenant, default: 0]
            if tenantCount >= limits.perTenant {
                return RPCError(
                    .rateLimited,
                    "tenant \(caller.tenant) already runs \(tenantCount) requests, the most allowed "
                        + "(server.max_requests_per_tenant)",
                    data: ErrorData(type: .rateLimited, retryable: true)
                )
            }
            state.scopes[scope, default: [:]][id] = context
            state.perTenant[caller.tenant] = tenantCount + 1
            state.count += 1
            return nil
        }
        if let refusal { throw refusal }
        return context
    }

    /// Takes a finished request out; wakes the drain when it was the last one.
    public func finish(_ context: RequestContext) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.scopes[context.scope]?[context.id] === context else { return [] }
            state.scopes[context.scope]?[context.id] = nil
            if state.scopes[context.scope]?.isEmpty == true { state.scopes[context.scope] = nil }
            let tenantCount = state.perTenant[context.caller.tenant, default: 1] - 1
            state.perTenant[context.caller.tenant] = tenantCount > 0 ? tenantCount : nil
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.idleWaiters = [:] }
            return Array(state.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The running request `id` of `scope`, if there is one.
    public func context(id: RPCID, in scope: RequestScope) -> RequestContext? {
        state.withLock { $0.scopes[scope]?[id] }
    }

    /// Cancels the request `id` of `scope`; `false` when none is running.
    public func cancel(id: RPCID, in scope: RequestScope) -> Bool {
        guard let context = state.withLock({ $0.scopes[scope]?[id] }) else { return false }
        context.cancel()
        return true
    }

    /// Stops every request of `scope`: its connection closed.
    public func connectionClosed(_ scope: RequestScope) {
        let contexts = state.withLock { Array(($0.scopes[scope] ?? [:]).values) }
        for context in contexts { context.clientGone() }
    }

    /// Cancels every running request.
    public func cancelAll(reason: ErrorType) {
        let contexts = state.withLock { $0.scopes.values.flatMap(\.values) }
        for context in contexts { context.cancel(reason: reason) }
    }

    /// From now on every registration is refused with `shutting_down`.
    public func beginDraining() {
        state.withLock { $0.draining = true }
    }

    public var isDraining: Bool { state.withLock { $0.draining } }

    /// How many requests are running.
    public var count: Int { state.withLock { $0.count } }

    /// The running requests, for status.
    public var snapshot: [RequestContext] {
        state.withLock { $0.scopes.values.flatMap(\.values) }
    }

    /// Waits until no request runs or `deadline` passes; returns whether none runs.
    public func waitUntilIdle(deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForIdle() }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
        return count == 0
    }

    /// Returns once no request runs, or when the calling task is cancelled.
    private func waitForIdle() async {
        let token = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let idle = state.withLock { state -> Bool in
                    guard state.count > 0, !Task.isCancelled else { return true }
                    state.idleWaiters[token] = continuation
                    return false
                }
                if idle { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.idleWaiters.removeValue(forKey: token) }
            waiter?.resume()
        }
    }
}
