import Foundation
import LoopbackUpstream
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exercises ``LoopbackUpstream`` over real TCP sockets.
@Suite struct LoopbackUpstreamSelfTests {
    @Test func streamWithUsageIsByteExact() async throws {
        try await withUpstream { upstream in
            upstream.register(model: "m1", .stream(OpenAIStream(pieces: ["Hel\"lo", " wörld\n"], usage: (3, 2))))
            let connection = try RawHTTPConnection(port: upstream.port)
            defer { connection.close() }
            connection.send(chatRequest(model: "m1", stream: true, includeUsage: true, keepAlive: false))
            let response = try #require(RawHTTPResponse(connection.receiveUntilEOF()))

            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.header("content-type") == "text/event-stream; charset=utf-8")
            #expect(response.header("transfer-encoding") == "chunked")
            let prefix =
                #"data: {"id":"chatcmpl-loop1","object":"chat.completion.chunk","created":1700000000,"#
                + #""model":"m1","system_fingerprint":"fp_loop","choices":"#
            let expected = [
                prefix + #"[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"#
                    + #""logprobs":null,"finish_reason":null}],"usage":null}"# + "\n\n",
                prefix + #"[{"index":0,"delta":{"content":"Hel\"lo"},"logprobs":null,"finish_reason":null}],"#
                    + #""usage":null}"# + "\n\n",
                prefix + #"[{"index":0,"delta":{"content":" wörld\n"},"logprobs":null,"finish_reason":null}],"#
                    + #""usage":null}"# + "\n\n",
                prefix + #"[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"# + "\n\n",
                prefix + #"[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"#
                    + #""prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#
                    + "\n\n",
                "data: [DONE]\n\n",
            ]
            let chunks = try #require(response.chunks())
            #expect(chunks.map { String(decoding: $0, as: UTF8.self) } == expected)
            #expect(response.isChunkedBodyTerminated)
            let recorded = try #require(await upstream.waitForConnectionClose(model: "m1", timeout: .seconds(2)))
            #expect(recorded.completedAt != nil && recorded.clientClosedAt == nil)
            #expect(recorded.method == "POST" && recorded.path == "/v1/chat/completions")
        }
    }

    @Test func errorScenarioReturnsStatusAndHeaders() async throws {
        try await withUpstream { upstream in
            upstream.register(
                model: "limited",
                .openAIError(
                    status: 429,
                    message: "Slow down",
                    type: "rate_limit_exceeded",
                    headers: [HTTPField("retry-after", "7")]
                )
            )
            let (data, response) = try await post(upstream, body: #"{"model":"limited","stream":true}"#)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 429)
            #expect(http.value(forHTTPHeaderField: "Retry-After") == "7")
            #expect(
                String(decoding: data, as: UTF8.self)
                    == #"{"error":{"message":"Slow down","type":"rate_limit_exceeded","param":null,"code":null}}"#
            )
        }
    }

    @Test func nonStreamingRequestGetsCompletionObject() async throws {
        try await withUpstream { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["a", "b", "c"])))
            let (data, response) = try await post(upstream, body: #"{"model":"any","messages":[]}"#)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
            let choices = try #require(object["choices"] as? [[String: Any]])
            let message = try #require(choices.first?["message"] as? [String: Any])
            #expect(object["object"] as? String == "chat.completion")
            #expect(message["content"] as? String == "abc")
            #expect(upstream.requests().first?.model == "any")
        }
    }

    @Test func keepAliveServesSequentialRequests() async throws {
        try await withUpstream { upstream in
            let connection = try RawHTTPConnection(port: upstream.port)
            defer { connection.close() }
            connection.send(chatRequest(model: "k", stream: true, includeUsage: false, keepAlive: true))
            let first = connection.receive { $0.count >= 5 && Array($0.suffix(5)) == Array("0\r\n\r\n".utf8) }
            #expect(String(decoding: first, as: UTF8.self).contains("data: [DONE]\n\n"))
            #expect(!String(decoding: first, as: UTF8.self).contains(#""usage""#))
            connection.send("GET /v1/models HTTP/1.1\r\nHost: loopback\r\nConnection: close\r\n\r\n")
            let second = try #require(RawHTTPResponse(connection.receiveUntilEOF()))
            #expect(String(decoding: second.body, as: UTF8.self).contains(#""id":"loop-model""#))
            #expect(upstream.requests().map(\.path) == ["/v1/chat/completions", "/v1/models"])
        }
    }

    @Test func clientCloseDuringStallIsRecorded() async throws {
        try await withUpstream { upstream in
            upstream.register(model: "stall", .stall)
            let connection = try RawHTTPConnection(port: upstream.port)
            connection.send(chatRequest(model: "stall", stream: true, includeUsage: false, keepAlive: true))
            _ = connection.receive { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }
            connection.close()
            let recorded = try #require(await upstream.waitForConnectionClose(model: "stall", timeout: .seconds(2)))
            #expect(recorded.clientClosedAt != nil)
            #expect(recorded.completedAt == nil)
        }
    }

    @Test func dropAfterLeavesChunkedBodyUnterminated() async throws {
        try await withUpstream { upstream in
            upstream.register(
                model: "drop",
                .stream(OpenAIStream(pieces: ["x", "y", "z"], ending: .dropAfter(pieces: 2)))
            )
            let connection = try RawHTTPConnection(port: upstream.port)
            defer { connection.close() }
            connection.send(chatRequest(model: "drop", stream: true, includeUsage: false, keepAlive: true))
            let response = try #require(RawHTTPResponse(connection.receiveUntilEOF()))
            #expect(!response.isChunkedBodyTerminated)
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains(#""content":"y""#) && !text.contains(#""content":"z""#))
            let recorded = try #require(await upstream.waitForConnectionClose(model: "drop", timeout: .seconds(2)))
            #expect(recorded.serverAbortedAt != nil && recorded.clientClosedAt == nil)
        }
    }
}

// MARK: - Helpers

private func withUpstream(_ body: (LoopbackUpstream) async throws -> Void) async throws {
    let upstream = try await LoopbackUpstream.start()
    do {
        try await body(upstream)
    } catch {
        try? await upstream.shutdown()
        throw error
    }
    try await upstream.shutdown()
}

private func chatRequest(model: String, stream: Bool, includeUsage: Bool, keepAlive: Bool) -> String {
    let options = includeUsage ? #","stream_options":{"include_usage":true}"# : ""
    let body = #"{"model":"\#(model)","stream":\#(stream)\#(options),"messages":[{"role":"user","content":"hi"}]}"#
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: loopback\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(body.utf8.count)\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + body
}

private func post(_ upstream: LoopbackUpstream, body: String) async throws -> (Data, URLResponse) {
    var request = URLRequest(url: try #require(URL(string: upstream.baseURL + "/chat/completions")))
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body.utf8)
    return try await URLSession.shared.data(for: request)
}

/// A blocking TCP connection to 127.0.0.1 with a 2 s receive timeout.
private final class RawHTTPConnection {
    private var fd: Int32

    init(port: Int) throws {
        #if os(Linux)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            closeSocket(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Reads until `done` holds for everything received, EOF, or the timeout.
    func receive(until done: ([UInt8]) -> Bool) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !done(received) {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        return received
    }

    func receiveUntilEOF() -> [UInt8] {
        receive { _ in false }
    }

    func close() {
        guard fd >= 0 else { return }
        closeSocket(fd)
        fd = -1
    }
}

private func closeSocket(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// A response as raw bytes: status line, headers and the (possibly chunked) body.
private struct RawHTTPResponse {
    var statusLine: String
    var headers: [(String, String)]
    var body: [UInt8]

    init?(_ bytes: [UInt8]) {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        statusLine = lines[0]
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        body = Array(bytes[(end + separator.count)...])
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }

    /// The chunk payloads of a chunked body, without the terminating empty chunk.
    func chunks() -> [[UInt8]]? {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < body.count {
            guard let lineEnd = (index..<body.count - 1).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                let size = Int(String(decoding: body[index..<lineEnd], as: UTF8.self), radix: 16)
            else { return nil }
            if size == 0 { return chunks }
            let start = lineEnd + 2
            guard start + size + 2 <= body.count else { return nil }
            chunks.append(Array(body[start..<(start + size)]))
            index = start + size + 2
        }
        return chunks
    }

    var isChunkedBodyTerminated: Bool {
        body.count >= 5 && Array(body.suffix(5)) == Array("0\r\n\r\n".utf8)
    }
}
