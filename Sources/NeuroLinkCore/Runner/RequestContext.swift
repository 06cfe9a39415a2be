import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting
import Synchronization

/// The handle kept on one running request, so that `cancel`, a closed connection or the shutdown
/// drain can stop it — including its upstream transfer — from outside its task. It also carries
/// what the request is (id, method) and who sent it, for every stage and the record.
public final class RequestContext: Sendable {
    public let id: RPCID
    /// The JSON-RPC method (`stream`, `generate`, `providers.list`, ...).
    public let method: String
    public let caller: Caller
    /// The connection (or other grouping) the request belongs to: ids are unique within it.
    public let scope: RequestScope
    public let receivedAt: ContinuousClock.Instant
    /// Wall-clock time the request arrived, in seconds since 1970, for records.
    public let receivedAtUnix: Double
    /// Where the request is going and how much of its answer was delivered (`nlctl top`).
    public let progress = RequestProgress()
    /// Results of its client-executed tool calls, as the client sends them (`tool.result`).
    public let clientTools = ClientToolResults()

    private struct State {
        var transfer: HTTPTransfer?
        var cancelReason: ErrorType?
        /// A wait in progress (retry backoff, admission queue), resumed early by ``cancel(reason:)``.
        var waiter: CheckedContinuation<Void, Never>?
        /// Set once the current wait ended, so a waiter registered late resumes at once.
        var waitOver = false
        /// Called once on cancellation: takes the request out of the admission queue.
        var onCancel: (@Sendable () -> Void)?
        /// The client's connection closed (rather than the client cancelling), for the record.
        var clientGone = false
        /// Time inside upstream calls, from sending each to its end.
        var upstream = Duration.zero
        /// Time waited before a retry.
        var backedOff = Duration.zero
        /// Time waited in the admission queue.
        var queued = Duration.zero
    }

    private let state = Mutex(State())

    public init(
        id: RPCID,
        method: String = Method.stream,
        caller: Caller = Caller(),
        scope: RequestScope = .detached,
        receivedAt: ContinuousClock.Instant = .now
    ) {
        self.id = id
        self.method = method
        self.caller = caller
        self.scope = scope
        self.receivedAt = receivedAt
        self.receivedAtUnix = WallClock.unixSeconds
    }

    /// Stops the request; its final response will be an error of type `reason`.
    public func cancel(reason: ErrorType = .cancelled) {
        let (transfer, waiter, handler) = state.withLock { state in
            if state.cancelReason == nil { state.cancelReason = reason }
            defer {
                state.waiter = nil
                state.onCancel = nil
            }
            return (state.transfer, state.waiter, state.onCancel)
        }
        transfer?.cancel()
        waiter?.resume()
        handler?()
        clientTools.close()
    }

    /// The client's connection closed or stopped taking data: stops the request like ``cancel(reason:)``
    /// and records why.
    /// A request the client had already cancelled stays cancelled: the connection closing
    /// afterwards does not change why it ended.
    public func clientGone() {
        let first = state.withLock { state -> Bool in
            guard state.cancelReason == nil else { return false }
            state.clientGone = true
            return true
        }
        if first { cancel() }
    }

    /// Whether the request ended because its client went away.
    public var isClientGone: Bool { state.withLock { $0.clientGone } }

    /// Runs `handler` when the request is cancelled (at once if it already was); `nil` removes it.
    func setCancelHandler(_ handler: (@Sendable () -> Void)?) {
        let cancelled = state.withLock { state -> Bool in
            guard state.cancelReason == nil else { return true }
            state.onCancel = handler
            return false
        }
        if cancelled { handler?() }
    }

    /// Waits for `duration` unless the request is cancelled first; returns `false` when it was.
    public func wait(for duration: Duration) async -> Bool {
        guard duration > .zero else { return cancelReason == nil }
        state.withLock { $0.waitOver = false }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let cancelled = self.state.withLock { state -> Bool in
                        guard state.cancelReason == nil, !state.waitOver else { return true }
                        state.waiter = continuation
                        return false
                    }
                    if cancelled { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: duration) }
            await group.next()
            group.cancelAll()
            // Whichever finished first, the other must not stay suspended.
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.waitOver = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        return cancelReason == nil
    }

    /// Why the request was cancelled, or `nil` while it was not.
    public var cancelReason: ErrorType? { state.withLock { $0.cancelReason } }

    /// Ties the upstream transfer to this request; cancels it at once if the request already was.
    func attach(_ transfer: HTTPTransfer) {
        let cancelled = state.withLock { state -> Bool in
            state.transfer = transfer
            return state.cancelReason != nil
        }
        if cancelled { transfer.cancel() }
    }

    func detach() {
        state.withLock { $0.transfer = nil }
    }

    // MARK: - Where the time went

    /// Counts the time since `start` as spent on an upstream call.
    func spentUpstream(since start: ContinuousClock.Instant) {
        let spent = ContinuousClock.now - start
        state.withLock { $0.upstream += spent }
    }

    /// Counts the time since `start` as a retry's backoff.
    func spentBackingOff(since start: ContinuousClock.Instant) {
        let spent = ContinuousClock.now - start
        state.withLock { $0.backedOff += spent }
    }

    /// Counts the time since `start` as waited in the admission queue.
    func spentQueued(since start: ContinuousClock.Instant) {
        let spent = ContinuousClock.now - start
        state.withLock { $0.queued += spent }
    }

    /// Adds the upstream and waiting time of `other`, a request run on this one's behalf (the judge).
    func addTimes(of other: RequestContext) {
        let times = other.state.withLock { ($0.upstream, $0.backedOff, $0.queued) }
        state.withLock { state in
            state.upstream += times.0
            state.backedOff += times.1
            state.queued += times.2
        }
    }

    /// The time spent in the admission queue so far.
    public var queueWait: Duration { state.withLock { $0.queued } }

    /// The time the daemon itself took, up to `now`: everything since the request arrived but the
    /// upstream calls, the admission queue and retry backoff (`neurolink_daemon_overhead_seconds`).
    public func overhead(until now: ContinuousClock.Instant = .now) -> Duration {
        let excluded = state.withLock { $0.upstream + $0.backedOff + $0.queued }
        return max(.zero, now - receivedAt - excluded)
    }
}
