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

    init(transfer: HTTPTransfer, request: HTTPRequest) {
        self.transfer = transfer
        self.request = request
    }

    var head: ResponseHead { ResponseHead(status: status, headers: headers) }

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
    pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<EasyContext>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
    let now = ContinuousClock.now
    if context.firstByteAt == nil { context.firstByteAt = now }
    context.lastDataAt = now
    switch context.transfer.offer(bytes, head: { context.head }) {
    case .accepted: return length
    case .pause: return NL_CURL_WRITEFUNC_PAUSE
    case .abort: return 0
    }
}

let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<EasyContext>.fromOpaque(userdata).takeUnretainedValue()
    context.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
