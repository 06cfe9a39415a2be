/// Runs an operation against a deadline without waiting for it when it ignores cancellation, as the
/// SDK's pending requests do: a caller's timeout must hold even when the server never answers.
enum TimeLimit {
    /// The operation's result, or nil when `timeout` elapsed first (the operation is then cancelled
    /// and left to finish on its own). Throws the operation's error, or `CancellationError` when the
    /// calling task is cancelled.
    static func run<T: Sendable>(
        _ timeout: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        let gate = RaceGate<T?>()
        let work = Task {
            do {
                gate.finish(.success(try await operation()))
            } catch {
                gate.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            gate.finish(.success(nil))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            let result = try await gate.wait()
            if result == nil { work.cancel() }
            return result
        } onCancel: {
            work.cancel()
            gate.finish(.failure(CancellationError()))
        }
    }
}
