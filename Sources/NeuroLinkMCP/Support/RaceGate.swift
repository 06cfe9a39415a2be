import Synchronization

/// A one-shot result slot that several racing tasks may try to fill; the first one wins and
/// resumes the single waiter, whether the waiter arrived before or after it.
final class RaceGate<T: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<T, any Error>)
        case finished(Result<T, any Error>)
        case consumed
    }

    private let state = Mutex(State.pending)

    /// Offers a result; ignored when another one came first.
    func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .pending:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .consumed
                return continuation
            case .finished, .consumed:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Waits for the first result; call once.
    func wait() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .finished(let result):
                    state = .consumed
                    return result
                case .waiting, .consumed:
                    return .failure(CancellationError())
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
