import CCurl

/// Everything about one transfer that only the curl thread touches: the easy handle, its
/// header list, collected response headers and the timestamps the deadline checks use.
///
/// Created by the thread that starts a transfer and handed to the curl thread through the
/// loop's inbox; from then on confined to the curl thread.
final class EasyContext: @unchecked Sendable {
    let transfer: HTTPTransfer
    let request: HTTPRequest
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var status = 0
    var headers: [HTTPHeader] = []
    var startedAt: ContinuousClock.Instant = .now
    var firstByteAt: ContinuousClock.Instant?
    var lastDataAt: ContinuousClock.Instant = .now
    /// Since when data was last refused without any accepted since (the transfer waits for its
    /// consumer or the budget); `nil` while data flows. Cleared on every resume.
    var pausedSince: ContinuousClock.Instant?
    /// Whether the write callback's last answer was `CURL_WRITEFUNC_PAUSE` with no resume since:
    /// libcurl holds those bytes and delivers them again after `curl_easy_pause(CONT)`.
    var curlPaused = false

    init(transfer: HTTPTransfer, request: HTTPRequest) {
        self.transfer = transfer
        self.request = request
    }

    var head: ResponseHead { ResponseHead(status: status, headers: headers) }

    /// The earliest moment one of the transfer's limits can fire, given what is known now. While
    /// paused, the idle limit does not run (it restarts on resume) and `maxPaused` does.
    func earliestDeadline(maxPaused: Duration?) -> ContinuousClock.Instant? {
        let timeouts = request.timeouts
        var earliest: ContinuousClock.Instant?
        func consider(_ instant: ContinuousClock.Instant) { earliest = min(earliest ?? instant, instant) }
        if let total = timeouts.total { consider(startedAt + total) }
        if firstByteAt == nil {
            if let firstByte = timeouts.firstByte { consider(startedAt + firstByte) }
        } else if let pausedSince {
            if let maxPaused { consider(pausedSince + maxPaused) }
        } else if let idle = timeouts.idle {
            consider(lastDataAt + idle)
        }
        return earliest
    }

    /// The limit that has fired at `now`, if one has.
    func expired(at now: ContinuousClock.Instant, maxPaused: Duration?) -> TransferError? {
        let timeouts = request.timeouts
        if let total = timeouts.total, now - startedAt > total { return .timeout(.total) }
        if firstByteAt == nil {
            if let firstByte = timeouts.firstByte, now - startedAt > firstByte { return .timeout(.firstByte) }
        } else if let pausedSince {
            if let maxPaused, now - pausedSince > maxPaused { return .paused(limit: maxPaused) }
        } else if let idle = timeouts.idle, now - lastDataAt > idle {
            return .timeout(.idle)
        }
        return nil
    }

    /// Records one raw header line from libcurl.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        // Strip the line ending as bytes: "\r\n" is a single Character in Swift.
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<end]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // A new status line (after 1xx or a retried auth) starts a new header block.
            headers.removeAll(keepingCapacity: true)
            let parts = text.split(separator: " ", maxSplits: 2)
            if parts.count >= 2, let code = Int(parts[1]) { status = code }
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            headers.append(HTTPHeader(name, String(value)))
        }
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
    }
}

// Capture-free C callbacks: they find their context through the user-data pointer.

let writeCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    pointer,
    size,
    count,
    userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<EasyContext>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    let now = ContinuousClock.now
    context.lastDataAt = now
    let state = context.transfer.loop.loopState
    if context.firstByteAt == nil {
        context.firstByteAt = now
        // The idle limit replaces the first-chunk one from here on; the next scan may have been
        // set for the (much later) first-chunk deadline, so bring it forward.
        state.schedule(context)
    }
    return state.receive(bytes, for: context)
}

let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    pointer,
    size,
    count,
    userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<EasyContext>.fromOpaque(userdata).takeUnretainedValue()
    context.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
