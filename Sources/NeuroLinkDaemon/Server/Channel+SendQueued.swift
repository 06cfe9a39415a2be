import NIOCore

extension Channel {
    /// Shuts the sending side down once what is queued has left, so that the full close that follows loses
    /// nothing: a close alone fails every write the socket has not taken yet, and a client slow to read the end
    /// of what it was sent lost it. Waits at most `limit`, then closes; a client that left, or the task's
    /// cancellation (the daemon shutting down), ends the wait at once.
    func sendQueuedThenShutOutput(within limit: TimeAmount) async {
        let deadline = eventLoop.scheduleTask(in: limit) { self.close(promise: nil) }
        // A future's `get()` does not see task cancellation: without the handler a client that stopped
        // reading would hold a shutdown for the whole limit.
        await withTaskCancellationHandler {
            try? await close(mode: .output).get()
        } onCancel: {
            close(promise: nil)
        }
        deadline.cancel()
    }
}
