import Synchronization

/// Where Ctrl-C goes in `nlctl chat`: while an answer streams, it cancels that answer; while a
/// line is read, it wakes the reader (which empties the line, or ends a piped chat).
final class ChatInterrupts: Sendable {
    private enum Target {
        case nothing
        case input
        case answer(@Sendable () -> Void)
    }

    private let target = Mutex<Target>(.nothing)
    private let wake: WakePipe

    /// Takes over SIGINT for the rest of the process.
    init(wake: WakePipe) {
        self.wake = wake
        Interrupts.handle { [weak self] in self?.interrupt() }
    }

    /// Runs `body` (reading a line) with Ctrl-C waking the reader.
    func whileReading<T>(_ body: () async -> T) async -> T {
        await during(.input, body)
    }

    /// Runs `body` (streaming an answer) with Ctrl-C calling `cancel`.
    func whileAnswering<T>(cancel: @escaping @Sendable () -> Void, _ body: () async -> T) async -> T {
        await during(.answer(cancel), body)
    }

    private func during<T>(_ current: Target, _ body: () async -> T) async -> T {
        target.withLock { $0 = current }
        defer { target.withLock { $0 = .nothing } }
        return await body()
    }

    private func interrupt() {
        switch target.withLock({ $0 }) {
        case .nothing: break
        case .input: wake.signal()
        case .answer(let cancel): cancel()
        }
    }
}
