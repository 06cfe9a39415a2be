import Synchronization

/// Where a queued request's outcome is handed over: the pump may resolve it before the request
/// started waiting (while it was still sending its `queued` notice), so the outcome is kept until
/// it is awaited, and exactly one outcome is ever delivered.
final class WaitSlot<Outcome: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Outcome, Never>)
        case resolved(Outcome)
        case delivered
    }

    private let state = Mutex(State.pending)

    /// Delivers `outcome`; returns `false` when the slot already had one.
    @discardableResult
    func resolve(_ outcome: Outcome) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>?? in
            switch state {
            case .pending:
                state = .resolved(outcome)
                return .some(nil)
            case .waiting(let continuation):
                state = .delivered
                return .some(continuation)
            case .resolved, .delivered:
                return nil
            }
        }
        guard let continuation else { return false }
        continuation?.resume(returning: outcome)
        return true
    }

    /// The outcome, once there is one.
    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .resolved(let outcome):
                    state = .delivered
                    return outcome
                case .waiting, .delivered:
                    // One waiter per slot; a second one would never be resumed otherwise.
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
