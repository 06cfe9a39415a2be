import NeuroLinkProtocol
import Synchronization

/// The results of a request's client-executed tool calls: the connection delivers them
/// (`tool.result`), the tool loop waits for them. A result may arrive before the loop asks for it
/// (the client answers a `tool_call` chunk while the model is still writing); a few are kept.
public final class ClientToolResults: Sendable {
    private struct State {
        var arrived: [String: ToolResultParams] = [:]
        /// UTF-8 bytes of the results in `arrived`.
        var arrivedBytes = 0
        var waiting: [String: CheckedContinuation<ToolResultParams?, Never>] = [:]
        /// Waits given up (timed out) before their continuation was registered.
        var abandoned: Set<String> = []
        /// The request ended: nothing more is accepted, every wait ends.
        var closed = false
        /// Waits for the end of the request (``untilClosed()``), by a number of their own.
        var closeWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextCloseWaiter = 0
    }

    /// Most results kept before the loop asks for them, and most bytes of them: a client cannot
    /// make a request hold more than this by answering calls nobody waits for yet.
    static let maxEarlyResults = 64
    static let maxEarlyBytes = 4 << 20

    private let state = Mutex(State())

    public init() {}

    /// Hands a client's result to the request; `false` when the request no longer takes results
    /// (it ended, or too many arrived unasked).
    public func deliver(_ result: ToolResultParams) -> Bool {
        let outcome = state.withLock {
            state -> (accepted: Bool, waiter: CheckedContinuation<ToolResultParams?, Never>?) in
            guard !state.closed else { return (false, nil) }
            if let waiter = state.waiting.removeValue(forKey: result.toolCallId) { return (true, waiter) }
            let size = Self.size(result)
            let replaced = state.arrived[result.toolCallId].map(Self.size) ?? 0
            let bytes = state.arrivedBytes - replaced + size
            guard replaced > 0 || state.arrived.count < Self.maxEarlyResults, bytes <= Self.maxEarlyBytes else {
                return (false, nil)
            }
            state.arrived[result.toolCallId] = result
            state.arrivedBytes = bytes
            return (true, nil)
        }
        outcome.waiter?.resume(returning: result)
        return outcome.accepted
    }

    /// The result for call `id`, or `nil` when none came within `timeout` or the request ended.
    func result(for id: String, timeout: Duration) async -> ToolResultParams? {
        await withTaskGroup(of: ToolResultParams?.self) { group in
            group.addTask { await self.next(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            abandon(id)
            group.cancelAll()
            return first
        }
    }

    /// Ends every wait and refuses later results: the request is over.
    func close() {
        let (waiters, closeWaiters) = state.withLock { state in
            state.closed = true
            state.arrived = [:]
            state.arrivedBytes = 0
            defer {
                state.waiting = [:]
                state.closeWaiters = [:]
            }
            return (Array(state.waiting.values), Array(state.closeWaiters.values))
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for waiter in closeWaiters { waiter.resume() }
    }

    /// Returns when the request is over (``close()``) or the calling task is cancelled.
    func untilClosed() async {
        let number = state.withLock { state in
            defer { state.nextCloseWaiter += 1 }
            return state.nextCloseWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    // Checked under the lock: a cancellation handler that ran before the waiter
                    // was registered found nothing to resume, but set `isCancelled` first.
                    guard !state.closed, !Task.isCancelled else { return true }
                    state.closeWaiters[number] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.closeWaiters.removeValue(forKey: number) }?.resume()
        }
    }

    private static func size(_ result: ToolResultParams) -> Int {
        (result.content ?? result.error ?? "").utf8.count
    }

    private func next(_ id: String) async -> ToolResultParams? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> ToolResultParams?? in
                if state.closed || state.abandoned.remove(id) != nil { return .some(nil) }
                if let result = state.arrived.removeValue(forKey: id) {
                    state.arrivedBytes -= Self.size(result)
                    return .some(result)
                }
                state.waiting[id] = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the wait for `id` if it is still registered, or marks it given up if it is not yet.
    private func abandon(_ id: String) {
        let waiter = state.withLock { state -> CheckedContinuation<ToolResultParams?, Never>? in
            if let waiter = state.waiting.removeValue(forKey: id) { return waiter }
            if state.arrived[id] == nil { state.abandoned.insert(id) }
            return nil
        }
        waiter?.resume(returning: nil)
    }
}
