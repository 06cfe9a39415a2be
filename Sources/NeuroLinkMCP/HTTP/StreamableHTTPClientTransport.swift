import Logging
import MCP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The client side of MCP's Streamable HTTP transport, usable on Linux.
///
/// The SDK's `HTTPClientTransport` cannot serve here: on Linux it hands a `text/event-stream`
/// response body to the client undecoded (so a server answering POSTs with SSE, as the SDK's own
/// `StatefulHTTPServerTransport` and most servers do, never gets an answer through), it never
/// opens the GET stream (no `tools/list_changed`), and it does not report a lost server. This one
/// reads both JSON and SSE answers, listens on the GET stream, and calls `onLost` when the server
/// cannot be reached.
actor StreamableHTTPClientTransport: Transport {
    nonisolated let logger: Logger
    private let endpoint: URL
    private let headers: [String: String]
    private let onLost: @Sendable (String) -> Void
    private let session: URLSession
    private let messages: AsyncThrowingStream<Data, any Error>
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private var sessionID: String?
    private var protocolVersion: String?
    private var connected = false
    private var listener: EventStreamListener?

    /// `headers` go with every request; `onLost` is called (possibly more than once) when the
    /// server is unreachable or has forgotten the session.
    init(endpoint: URL, headers: [String: String], logger: Logger, onLost: @escaping @Sendable (String) -> Void) {
        self.endpoint = endpoint
        self.headers = headers
        self.logger = logger
        self.onLost = onLost
        let configuration = URLSessionConfiguration.ephemeral
        // Calls carry their own timeouts; URLSession's default 60 s would cut long tools short.
        configuration.timeoutIntervalForRequest = 3600
        self.session = URLSession(configuration: configuration)
        (messages, sink) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        connected = true
    }

    func disconnect() async {
        guard connected else { return }
        connected = false
        listener?.cancel()
        listener = nil
        await endSession()
        session.invalidateAndCancel()
        sink.finish()
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }

    func send(_ data: Data) async throws {
        guard connected else { throw MCPError.connectionClosed }
        let (body, response) = try await post(data)
        if let id = response.value(forHTTPHeaderField: HTTPHeaderName.sessionID) { sessionID = id }
        try check(response)
        let received = decode(body, contentType: response.value(forHTTPHeaderField: "Content-Type") ?? "")
        if JSONRPCProbe.method(of: data) == "initialize" {
            protocolVersion = received.lazy.compactMap(JSONRPCProbe.protocolVersion).first
        }
        for message in received { sink.yield(message) }
        if JSONRPCProbe.method(of: data) == "notifications/initialized" { listen() }
    }

    private func post(_ data: Data) async throws -> (Data, HTTPURLResponse) {
        var request = makeRequest(method: "POST", accept: "application/json, text/event-stream")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = data
        let body: Data
        let response: URLResponse
        do {
            (body, response) = try await session.data(for: request)
        } catch {
            throw lost(ShortError.text(error))
        }
        guard let http = response as? HTTPURLResponse else { throw lost("not an HTTP response") }
        return (body, http)
    }

    private func check(_ response: HTTPURLResponse) throws {
        switch response.statusCode {
        case 200..<300: return
        case 404 where sessionID != nil: throw lost("session expired")
        case 401, 403: throw MCPError.internalError("HTTP \(response.statusCode): not authorized")
        default: throw MCPError.internalError("HTTP \(response.statusCode)")
        }
    }

    private func decode(_ body: Data, contentType: String) -> [Data] {
        if contentType.lowercased().contains("text/event-stream") {
            var parser = SSEParser()
            return parser.feed(body) + parser.finish()
        }
        return body.isEmpty ? [] : [body]
    }

    private func makeRequest(method: String, accept: String) -> URLRequest {
        var request = URLRequest(url: endpoint)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if let sessionID { request.setValue(sessionID, forHTTPHeaderField: HTTPHeaderName.sessionID) }
        if let protocolVersion {
            request.setValue(protocolVersion, forHTTPHeaderField: HTTPHeaderName.protocolVersion)
        }
        return request
    }

    private func lost(_ reason: String) -> HTTPConnectionLost {
        if connected { onLost(reason) }
        return HTTPConnectionLost(description: reason)
    }

    /// Asks the server to drop the session; best effort, briefly, since the server may be gone.
    private func endSession() async {
        guard sessionID != nil else { return }
        var delete = makeRequest(method: "DELETE", accept: "application/json")
        delete.timeoutInterval = 1
        let request = delete
        let session = self.session
        _ = try? await TimeLimit.run(.seconds(1)) { try await session.data(for: request) }
    }

    /// Opens the GET stream for server-initiated messages (notifications such as
    /// `tools/list_changed`); its loss is how a dead server is noticed between calls.
    private func listen() {
        guard connected, listener == nil else { return }
        let sink = self.sink
        let listener = EventStreamListener(
            onMessage: { sink.yield($0) },
            onEnd: { [weak self] ending in Task { await self?.streamEnded(ending) } }
        )
        self.listener = listener
        listener.start(makeRequest(method: "GET", accept: "text/event-stream"))
    }

    private func streamEnded(_ ending: EventStreamEnding) {
        guard connected, ending != .cancelled else { return }
        listener = nil
        switch ending {
        case .cancelled: return
        case .unsupported: logger.debug("No GET event stream; notifications arrive with responses only")
        case .refused(let status): logger.debug("GET event stream refused", metadata: ["status": "\(status)"])
        case .sessionExpired: onLost("session expired")
        case .dropped(afterOpening: false, let reason): onLost(reason)
        case .dropped(afterOpening: true, let reason):
            // A server may end a stream at any time; only failing to open it again means it is gone.
            logger.debug("GET event stream closed; opening it again", metadata: ["reason": "\(reason)"])
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(200))
                await self?.listen()
            }
        }
    }
}
