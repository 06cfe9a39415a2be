import CCurl
import NeuroLinkBasics

// Easy handles: creation, teardown and error mapping. Loop thread only.
extension CurlLoop {
    func error(_ code: CURLcode, _ context: EasyContext) -> TransferError {
        if code == CURLE_OPERATION_TIMEDOUT, context.firstByteAt == nil, context.status == 0 {
            return .timeout(.connect)
        }
        let detail = String(
            decoding: context.errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self
        )
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .network(code: Int(code.rawValue), message: message)
    }

    /// Creates and registers the easy handle; returns an error when libcurl refuses the request.
    func configure(_ context: EasyContext) -> TransferError? {
        guard let easy = curl_easy_init() else { return .network(code: -1, message: "curl_easy_init failed") }
        context.easy = easy
        context.startedAt = .now
        context.lastDataAt = context.startedAt
        let request = context.request
        let userdata = Unmanaged.passUnretained(context).toOpaque()
        var ok = nl_easy_setopt_string(easy, CURLOPT_URL, request.url) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        // Removing a transfer whose name lookup still runs must not wait for the resolver thread: the
        // thread removing it may be a connection's event loop.
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_QUICK_EXIT, 1) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1) == CURLE_OK
        ok = ok && nl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, NL_CURL_HTTP_VERSION_2TLS) == CURLE_OK
        ok = ok && nl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata) == CURLE_OK
        ok = ok && nl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata) == CURLE_OK
        ok = ok && nl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, userdata) == CURLE_OK
        ok =
            ok
            && context.errorBuffer.withUnsafeMutableBufferPointer {
                nl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, $0.baseAddress) == CURLE_OK
            }
        if let connect = request.timeouts.connect {
            ok =
                ok
                && nl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connect.wholeMilliseconds(rounding: .up))
                    == CURLE_OK
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
            ok =
                ok
                && bytes.withUnsafeBytes {
                    nl_easy_setopt_pointer(
                        easy,
                        CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: $0.baseAddress)
                    )
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

    /// Detaches the transfer from libcurl and from the budget's accounting.
    func release(_ context: EasyContext) {
        loopState.forget(ObjectIdentifier(context.transfer))
        guard let easy = context.easy else { return }
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        context.easy = nil
    }
}
