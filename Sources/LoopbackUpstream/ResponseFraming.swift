import NIOCore
import NIOHTTP1

/// Builds response heads matching the request's HTTP version and keep-alive wish.
struct ResponseFraming {
    var version: HTTPVersion
    var keepAlive: Bool

    /// 200 with a chunked `text/event-stream` body.
    func eventStreamHead(extraHeaders: [HTTPField] = []) -> HTTPResponseHead {
        var headers = connectionHeaders()
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        headers.add(name: "content-type", value: "text/event-stream; charset=utf-8")
        headers.add(name: "cache-control", value: "no-cache")
        headers.add(name: "transfer-encoding", value: "chunked")
        return HTTPResponseHead(version: version, status: .ok, headers: headers)
    }

    /// A complete response with a `content-length` body.
    func fixedResponse(
        status: Int,
        body: String,
        extraHeaders: [HTTPField] = [],
        allocator: ByteBufferAllocator
    ) -> FixedResponseScript {
        let buffer = allocator.buffer(string: body)
        var headers = connectionHeaders()
        if !extraHeaders.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.add(name: "content-type", value: "application/json")
        }
        for field in extraHeaders {
            headers.add(name: field.name, value: field.value)
        }
        headers.replaceOrAdd(name: "content-length", value: String(buffer.readableBytes))
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        return FixedResponseScript([.head(head), .body(buffer), .end])
    }

    private func connectionHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if version.major == 1 && version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        return headers
    }
}
