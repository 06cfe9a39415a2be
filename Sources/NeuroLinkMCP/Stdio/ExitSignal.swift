import Synchronization

/// The exit status of a child process, awaited by any number of tasks.
final class ExitSignal: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let state = Mutex(State())

    /// The raw `waitpid` status, or nil while the process runs.
    var status: Int32? { state.withLock { $0.status } }

    /// Records the status and wakes every waiter; later calls are ignored.
    func fire(_ status: Int32) {
        let waiters: [CheckedContinuation<Int32, Never>] = state.withLock { state in
            guard state.status == nil else { return [] }
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The raw status once the process has exited.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let known: Int32? = state.withLock { state in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// `exited with status 3` or `killed by signal 9`.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exited with status \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }
}
