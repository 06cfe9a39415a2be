import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Loopback upstreams `a`, `b`, ... each behind an `openai-compatible` provider of that name.
struct Upstreams {
    let servers: [String: LoopbackUpstream]

    /// Starts one upstream per name, runs `body`, and shuts them all down when it returns or throws.
    static func with<T>(_ names: [String], _ body: (Upstreams) async throws -> T) async throws -> T {
        var servers: [String: LoopbackUpstream] = [:]
        let result: Result<T, any Error>
        do {
            for name in names { servers[name] = try await LoopbackUpstream.start() }
            result = .success(try await body(Upstreams(servers: servers)))
        } catch {
            result = .failure(error)
        }
        for server in servers.values { try? await server.shutdown() }
        return try result.get()
    }

    subscript(name: String) -> LoopbackUpstream {
        guard let server = servers[name] else { preconditionFailure("no upstream \(name)") }
        return server
    }

    /// Chat requests `name` received.
    func chatRequests(_ name: String) -> Int {
        self[name].requests().filter { $0.path.hasSuffix("/chat/completions") }.count
    }

    /// A config with one provider per upstream (in name order) plus `extraProviders`, fast backoff,
    /// `routing` keys and `rest` appended. Active health checks are off unless `healthCheck` is given.
    func config(
        _ rest: String,
        routing: String = "",
        extraProviders: String = "",
        healthCheck: String = "  health_check:\n    interval_ms: 0"
    ) -> String {
        var text = "providers:\n"
        for name in servers.keys.sorted() {
            text += """
                  - name: \(name)
                    type: openai-compatible
                    base_url: \(self[name].baseURL)
                    default_model: m

                """
        }
        text += extraProviders
        text += """

            routing:
              backoff_base_ms: 20
              backoff_max_ms: 50
            \(healthCheck)
            \(routing)
            \(rest)
            """
        return text
    }
}

/// Everything one streamed request produced.
struct StreamOutcome {
    var chunks: [StreamChunk] = []
    var result: StreamResult?
    var error: RPCError?

    var text: String { chunks.filter { $0.type == .text }.compactMap(\.content).joined() }
    var notices: [Notice] { chunks.compactMap(\.notice) }
}

func streamOnce(_ client: NeuroLinkClient, _ request: StreamRequest) async throws -> StreamOutcome {
    var outcome = StreamOutcome()
    do {
        for try await event in client.streamEvents(request) {
            switch event {
            case .chunk(let chunk): outcome.chunks.append(chunk)
            case .result(let result): outcome.result = result
            }
        }
    } catch let error as RPCError {
        outcome.error = error
    }
    return outcome
}

extension Scenario {
    static func text(_ pieces: [String], delay: Duration = .zero) -> Scenario {
        .stream(OpenAIStream(pieces: pieces, delay: delay))
    }

    static func status(_ code: Int, _ headers: [HTTPField] = []) -> Scenario {
        .openAIError(status: code, message: "injected \(code)", headers: headers)
    }
}
