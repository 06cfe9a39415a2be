import CCurl
import Foundation
import Synchronization

/// The daemon's single outbound HTTP engine: one libcurl multi handle driven by one dedicated
/// thread, shared by every transfer (connection reuse, HTTP/2 multiplexing where offered).
///
/// Other threads talk to the loop only through its inbox (`add`, `remove`, `resume`, `stop`)
/// followed by `curl_multi_wakeup`, which is thread-safe; the multi handle, every easy handle
/// and every ``EasyContext`` are touched by the loop thread alone.
public final class CurlLoop: Sendable {
    enum Command {
        case add(EasyContext)
        case remove(ObjectIdentifier)
        case resume(ObjectIdentifier)
        case ping(CheckedContinuation<Bool, Never>)
        case stop
    }

    struct Inbox {
        var commands: [Command] = []
        var accepting = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let inbox = Mutex(Inbox())
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer
    /// Bytes a transfer may buffer for a slow consumer before it is paused.
    public let highWaterBytes: Int

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Creates the engine; call ``start()`` before starting transfers.
    public init(highWaterBytes: Int = 256 * 1024) throws {
        guard Self.globalInit, let multi = curl_multi_init() else { throw TransferError.shutdown }
        self.multi = multi
        self.highWaterBytes = highWaterBytes
    }

    /// libcurl's version string, e.g. for `status`.
    public static var curlVersion: String { String(cString: curl_version()) }

    /// Starts the loop thread.
    public func start() {
        let alreadyRunning = inbox.withLock { inbox -> Bool in
            defer { inbox.accepting = true }
            return inbox.accepting || inbox.stopped
        }
        guard !alreadyRunning else { return }
        let thread = Thread { [self] in runLoop() }
        thread.name = "neurolink-curl"
        thread.start()
    }

    /// Stops the loop: every unfinished transfer ends with ``TransferError/shutdown``. Returns once the
    /// thread has cleaned up.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let (wake, alreadyStopped) = inbox.withLock { inbox -> (Bool, Bool) in
                if inbox.stopped { return (false, true) }
                inbox.stopWaiters.append(continuation)
                let wake = inbox.accepting
                inbox.accepting = false
                inbox.commands.append(.stop)
                return (wake, false)
            }
            if alreadyStopped {
                continuation.resume()
            } else if wake {
                curl_multi_wakeup(multi)
            } else {
                // Never started: nothing will drain the inbox.
                finishStop()
            }
        }
    }

    /// Starts a transfer. Events arrive through the returned ``HTTPTransfer``.
    public func start(_ request: HTTPRequest) throws(TransferError) -> HTTPTransfer {
        let transfer = HTTPTransfer(loop: self, highWaterBytes: highWaterBytes)
        let context = EasyContext(transfer: transfer, request: request)
        guard send(.add(context)) else { throw .shutdown }
        return transfer
    }

    /// Answers once the loop thread has gone round once: proof that it is not wedged.
    public func ping() async -> Bool {
        await withCheckedContinuation { continuation in
            if !send(.ping(continuation)) { continuation.resume(returning: false) }
        }
    }

    func remove(_ transfer: HTTPTransfer) { _ = send(.remove(ObjectIdentifier(transfer))) }
    func resume(_ transfer: HTTPTransfer) { _ = send(.resume(ObjectIdentifier(transfer))) }

    private func send(_ command: Command) -> Bool {
        let accepted = inbox.withLock { inbox -> Bool in
            guard inbox.accepting else { return false }
            inbox.commands.append(command)
            return true
        }
        // The multi handle lives until the loop thread exits, which cannot happen while `accepting`
        // was true above and this command is still queued.
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    private func finishStop() {
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            inbox.stopped = true
            defer { inbox.stopWaiters = [] }
            return inbox.stopWaiters
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: - Loop thread

    private func runLoop() {
        var active: [ObjectIdentifier: EasyContext] = [:]
        // Deadlines only move later as data arrives, so the earliest one found by a scan is a safe
        // time for the next scan: the loop sleeps until then instead of waking every few ms.
        var nextScan: ContinuousClock.Instant?
        var stopping = false
        while !stopping {
            let commands = inbox.withLock { inbox -> [Command] in
                var taken: [Command] = []
                swap(&taken, &inbox.commands)
                return taken
            }
            for command in commands {
                switch command {
                case .add(let context):
                    if let error = configure(context) {
                        context.transfer.finish(.failure(error))
                    } else {
                        active[ObjectIdentifier(context.transfer)] = context
                        if let first = Self.earliestDeadline(context) { nextScan = min(nextScan ?? first, first) }
                    }
                case .remove(let id):
                    if let context = active.removeValue(forKey: id) { release(context) }
                case .resume(let id):
                    if let context = active[id], let easy = context.easy {
                        context.lastDataAt = .now
                        curl_easy_pause(easy, NL_CURLPAUSE_CONT)
                    }
                case .ping(let continuation):
                    continuation.resume(returning: true)
                case .stop:
                    stopping = true
                }
            }
            if stopping { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished(&active)

            let now = ContinuousClock.now
            if let due = nextScan, now >= due { nextScan = enforceDeadlines(&active, now: now) }
            let untilScan = nextScan.map { max(1, min(1000, ($0 - now).milliseconds + 1)) } ?? 1000
            curl_multi_poll(multi, nil, 0, Int32(untilScan), nil)
        }
        for context in active.values {
            context.transfer.finish(.failure(.shutdown))
            release(context)
        }
        // Drain commands that raced with the stop so no continuation is left hanging.
        let leftovers = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands = [] }
            return inbox.commands
        }
        for case .ping(let continuation) in leftovers { continuation.resume(returning: false) }
        for case .add(let context) in leftovers { context.transfer.finish(.failure(.shutdown)) }
        curl_multi_cleanup(multi)
        finishStop()
    }

    private func collectFinished(_ active: inout [ObjectIdentifier: EasyContext]) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var raw: UnsafeMutableRawPointer?
            guard nl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw) == CURLE_OK, let raw else { continue }
            let context = Unmanaged<EasyContext>.fromOpaque(raw).takeUnretainedValue()
            let code = nl_msg_result(message)
            let result: Result<Void, TransferError> = code == CURLE_OK ? .success(()) : .failure(error(code, context))
            context.transfer.finish(result, head: context.head)
            active.removeValue(forKey: ObjectIdentifier(context.transfer))
            release(context)
        }
    }

    /// Ends transfers whose deadline passed; returns when the next scan is due.
    private func enforceDeadlines(_ active: inout [ObjectIdentifier: EasyContext], now: ContinuousClock.Instant)
        -> ContinuousClock.Instant?
    {
        var expired: [(ObjectIdentifier, TransferError.Phase)] = []
        var next: ContinuousClock.Instant?
        for (id, context) in active {
            let timeouts = context.request.timeouts
            if let total = timeouts.total, now - context.startedAt > total {
                expired.append((id, .total))
            } else if context.firstByteAt == nil, let firstByte = timeouts.firstByte, now - context.startedAt > firstByte {
                expired.append((id, .firstByte))
            } else if context.firstByteAt != nil, let idle = timeouts.idle, now - context.lastDataAt > idle, !context.transfer.isPaused {
                expired.append((id, .idle))
            } else if let deadline = Self.earliestDeadline(context) {
                // A paused transfer's idle deadline is re-armed on resume; checking it again soon is cheap.
                let due = context.transfer.isPaused ? now + .milliseconds(100) : max(deadline, now)
                next = min(next ?? due, due)
            }
        }
        for (id, phase) in expired {
            guard let context = active.removeValue(forKey: id) else { continue }
            context.transfer.finish(.failure(.timeout(phase)), head: nil)
            release(context)
        }
        return next
    }

    /// The earliest moment one of the transfer's limits can fire, given what is known now.
    private static func earliestDeadline(_ context: EasyContext) -> ContinuousClock.Instant? {
        let timeouts = context.request.timeouts
        var candidates: [ContinuousClock.Instant] = []
        if let total = timeouts.total { candidates.append(context.startedAt + total) }
        if context.firstByteAt == nil {
            if let firstByte = timeouts.firstByte { candidates.append(context.startedAt + firstByte) }
        } else if let idle = timeouts.idle {
            candidates.append(context.lastDataAt + idle)
        }
        return candidates.min()
    }

    private func error(_ code: CURLcode, _ context: EasyContext) -> TransferError {
        if code == CURLE_OPERATION_TIMEDOUT, context.firstByteAt == nil, context.status == 0 {
            return .timeout(.connect)
        }
        let detail = String(decoding: context.errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .network(code: Int(code.rawValue), message: message)
    }

    /// Creates and registers the easy handle; returns an error when libcurl refuses the request.
    private func configure(_ context: EasyContext) -> TransferError? {
        guard let easy = curl_easy_init() else { return .network(code: -1, message: "curl_easy_init failed") }
        context.easy = easy
        context.startedAt = .now
        context.lastDataAt = context.startedAt
        let request = context.request
        let userdata = Unmanaged.passUnretained(context).toOpaque()
        var ok = nl_easy_setopt_string(easy, CURLOPT_URL, request.url) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, NL_CURL_HTTP_VERSION_2TLS) == CURLE_OK
        ok = ok && nl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata) == CURLE_OK
        ok = ok && nl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, userdata) == CURLE_OK
        ok = ok && context.errorBuffer.withUnsafeMutableBufferPointer {
            nl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, $0.baseAddress) == CURLE_OK
        }
        if let connect = request.timeouts.connect {
            ok = ok && nl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(connect.milliseconds)) == CURLE_OK
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers + [HTTPHeader("Expect", "")] {
            let line = header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)"
            list = curl_slist_append(list, line)
        }
        context.headerList = list
        ok = ok && nl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list) == CURLE_OK
        switch (request.method, request.body) {
        case ("GET", _):
            ok = ok && nl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1) == CURLE_OK
        case (let method, let body):
            if method != "POST" { ok = ok && nl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK }
            let bytes = body ?? []
            ok = ok && nl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)) == CURLE_OK
            // COPYPOSTFIELDS: libcurl keeps its own copy, so no Swift buffer must outlive this call.
            ok = ok && bytes.withUnsafeBytes {
                nl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                    == CURLE_OK
            }
        }
        guard ok else {
            curl_easy_cleanup(easy)
            context.easy = nil
            return .network(code: -1, message: "invalid request for libcurl (URL or option rejected)")
        }
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            curl_easy_cleanup(easy)
            context.easy = nil
            return .network(code: -1, message: "curl_multi_add_handle failed")
        }
        return nil
    }

    private func release(_ context: EasyContext) {
        guard let easy = context.easy else { return }
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        context.easy = nil
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
