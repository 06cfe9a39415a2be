import Foundation
import MCP

/// Routes Streamable HTTP requests to one `StatefulHTTPServerTransport` per session, creating a
/// session (and a `Server`) for every `initialize`.
actor SessionRouter {
    private struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }

    private struct Probe: Decodable {
        let method: String?
    }

    private var sessions: [String: StatefulHTTPServerTransport] = [:]

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if let id = request.header(HTTPHeaderName.sessionID), let transport = sessions[id] {
            let response = await transport.handleRequest(request)
            if request.method == "DELETE" { sessions[id] = nil }
            return response
        }
        if request.method == "POST", let body = request.body, isInitialize(body) {
            return await startSession(request)
        }
        if request.header(HTTPHeaderName.sessionID) != nil {
            return .error(statusCode: 404, .invalidRequest("Session not found"))
        }
        return .error(statusCode: 400, .invalidRequest("Missing session"))
    }

    private func startSession(_ request: HTTPRequest) async -> HTTPResponse {
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id))
        do {
            let server = await TestTools.makeServer()
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("cannot start session"))
        }
        sessions[id] = transport
        return await transport.handleRequest(request)
    }

    private func isInitialize(_ body: Data) -> Bool {
        (try? JSONDecoder().decode(Probe.self, from: body))?.method == "initialize"
    }
}
