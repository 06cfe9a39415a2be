import CCurl
import NeuroLinkBasics
import Synchronization

// The loop thread: waits on the epoll set, then drives libcurl with the engine lock held. The functions that
// touch libcurl or the loop state require that lock (the caller's `perform` takes it too).
extension CurlLoop {
    func runLoop() {
        engine.withLock { $0 = true }
        var ready = ReadySockets()
        while true {
            let timeout = engine.withLock { _ -> Int32? in
                let commands = inbox.withLock { inbox -> [Command] in
                    inbox.sleeping = false
                    var taken: [Command] = []
                    swap(&taken, &inbox.commands)
                    return taken
                }
                for command in commands { guard run(command) else { return nil } }
                return workOnce(ready: ready)
            }
            guard let timeout else { break }
            ready.wait(on: descriptors.epoll, timeoutMilliseconds: timeout)
            // Awake: commands sent from now on are seen without a signal.
            inbox.withLock { $0.sleeping = false }
        }
        engine.withLock { open in
            open = false
            closeDown()
        }
        finishStop()
    }

    /// One round of the loop's work with `engine` held: the ready sockets, libcurl's timer, finished
    /// transfers, deadlines and the budget. Returns how long the following wait may last.
    private func workOnce(ready: ReadySockets) -> Int32 {
        let state = loopState
        for index in 0..<ready.count {
            let (fd, flags) = ready[index]
            if fd == descriptors.wake {
                descriptors.acknowledge()
            } else {
                socketAction(fd, flags)
            }
        }
        let now = ContinuousClock.now
        runTimerIfDue(now: now)
        collectFinished()
        if let due = state.nextScan, now >= due { state.nextScan = enforceDeadlines(now: now) }
        // Drains and ended transfers may have taken the total under the resume line.
        state.releaseHeldBack()
        // Read again: the work above may have set a timer for "now".
        return waitTimeout(now: .now)
    }

    /// Ends every transfer and releases libcurl, once the loop has stopped; `engine` held.
    private func closeDown() {
        let state = loopState
        for context in state.active.values {
            context.transfer.finish(.failure(.shutdown))
            release(context)
        }
        state.active = [:]
        // Drain commands that raced with the stop so no continuation is left hanging.
        let leftovers = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands = [] }
            return inbox.commands
        }
        for command in leftovers {
            switch command {
            case .ping(let continuation): continuation.resume(returning: false)
            case .snapshot(let continuation):
                continuation.resume(returning: StreamBufferSnapshot(budgetBytes: memoryBudgetBytes))
            case .add(let context): context.transfer.finish(.failure(.shutdown))
            case .remove, .drained, .stop: break
            }
        }
        curl_multi_cleanup(multi)
    }

    /// Carries out one command with `engine` held; returns false for `stop`.
    func run(_ command: Command) -> Bool {
        let state = loopState
        switch command {
        case .add(let context):
            // Cancelled while queued (its `remove` found nothing to remove): never start it.
            guard !context.transfer.isFinished else { return true }
            if let error = configure(context) {
                context.transfer.finish(.failure(error))
            } else {
                state.active[ObjectIdentifier(context.transfer)] = context
                state.schedule(context)
                if let size = state.growConnectionCache() {
                    _ = nl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, size)
                }
            }
        case .remove(let id):
            if let context = state.active.removeValue(forKey: id) { release(context) }
        case .drained(let id):
            state.drained(id)
        case .ping(let continuation):
            continuation.resume(returning: true)
        case .snapshot(let continuation):
            continuation.resume(returning: state.snapshot())
        case .stop:
            return false
        }
        return true
    }

    /// Lets libcurl handle its timeouts when its timer is due (a new transfer sets it to "now").
    func runTimerIfDue(now: ContinuousClock.Instant) {
        guard let due = loopState.curlTimer, now >= due else { return }
        loopState.curlTimer = nil
        socketAction(NL_CURL_SOCKET_TIMEOUT, 0)
    }

    private func socketAction(_ socket: curl_socket_t, _ flags: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, socket, flags, &running)
    }

    /// How long the next wait may last: until libcurl's timer or the next deadline scan (rounded up to whole
    /// milliseconds, so a timer is never polled early), at most 1 s; 0 when commands arrived meanwhile.
    private func waitTimeout(now: ContinuousClock.Instant) -> Int32 {
        let state = loopState
        let due = state.nextDue
        let milliseconds =
            due.map { max(0, min(1000, ($0 - now).wholeMilliseconds(rounding: .up))) } ?? 1000
        let sleeping = inbox.withLock { inbox -> Bool in
            inbox.sleeping = inbox.commands.isEmpty
            return inbox.sleeping
        }
        let timeout = sleeping ? milliseconds : 0
        // The instant the loop waits for, not the rounded wait: work done meanwhile on other threads wakes it
        // only for something due earlier than that.
        state.plannedWake = sleeping ? min(due ?? now + .seconds(1), now + .seconds(1)) : now
        return Int32(timeout)
    }

    func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var raw: UnsafeMutableRawPointer?
            guard nl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw) == CURLE_OK, let raw else { continue }
            let context = Unmanaged<EasyContext>.fromOpaque(raw).takeUnretainedValue()
            let code = nl_msg_result(message)
            let result: Result<Void, TransferError> = code == CURLE_OK ? .success(()) : .failure(error(code, context))
            context.transfer.finish(result, head: context.head)
            loopState.active.removeValue(forKey: ObjectIdentifier(context.transfer))
            release(context)
        }
    }

    /// Ends transfers whose deadline passed; returns when the next scan is due.
    private func enforceDeadlines(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let state = loopState
        var expired: [(ObjectIdentifier, TransferError)] = []
        var next: ContinuousClock.Instant?
        for (id, context) in state.active {
            if let error = context.expired(at: now, maxPaused: state.maxPaused) {
                expired.append((id, error))
            } else if let deadline = context.earliestDeadline(maxPaused: state.maxPaused) {
                let due = max(deadline, now)
                next = min(next ?? due, due)
            }
        }
        for (id, error) in expired {
            guard let context = state.active.removeValue(forKey: id) else { continue }
            if case .paused = error { state.countPausedTimeout() }
            context.transfer.finish(.failure(error), head: nil)
            release(context)
        }
        return next
    }
}
