import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport

/// The faults a `--faults` soak mixes into its normal streams: the upstream faults of the fault
/// matrix (docs/robustness.md, "Fault matrix") in the OpenAI wire format, and client faults.
///
/// Each upstream fault has a provider of its own (`f-<fault>`, the same loopback upstream): a 429
/// pauses only that provider, and its breaker and statistics are its own, so the normal streams
/// (provider `loop`) never feel a fault except through the daemon itself.
enum SoakFault: String, CaseIterable, Sendable {
    case rateLimited = "429"
    case serverError = "500"
    case unavailable = "503"
    case droppedBeforeFirstChunk = "drop-before"
    case droppedAfterFirstChunk = "drop-after"
    case endedEarly = "no-done"
    case inStreamError = "in-stream-error"
    case malformed = "malformed"
    case stall = "stall"
    case drip = "drip"
    case clientVanishes = "client-vanishes"
    case garbageFrames = "garbage-frames"

    /// Providers for the upstream faults; client faults use the normal provider.
    var provider: String? { isUpstreamFault ? "f-\(rawValue)" : nil }
    var model: String { "fault-\(rawValue)" }
    var isUpstreamFault: Bool { self != .clientVanishes && self != .garbageFrames }

    /// What the upstream answers this fault's requests with.
    var scenario: Scenario {
        let pieces = Array(repeating: "tok ", count: Model.soakPieces)
        switch self {
        case .rateLimited:
            return .openAIError(
                status: 429,
                message: "slow down",
                type: "requests",
                headers: [HTTPField("retry-after", "1")]
            )
        case .serverError: return .openAIError(status: 500, message: "boom")
        case .unavailable: return .openAIError(status: 503, message: "unavailable")
        case .droppedBeforeFirstChunk: return .rawThenDrop(pieces: [], delay: .zero)
        case .droppedAfterFirstChunk: return .stream(OpenAIStream(pieces: pieces, ending: .dropAfter(pieces: 3)))
        case .endedEarly: return .stream(OpenAIStream(pieces: pieces, ending: .cleanEOFWithoutDone))
        case .inStreamError:
            return .stream(OpenAIStream(pieces: pieces, ending: .inStreamError(afterPieces: 2, message: "boom")))
        case .malformed:
            return .raw(
                pieces: [Array("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json\n\n".utf8)],
                delay: .zero
            )
        case .stall: return .stall
        case .drip:
            // 8 bytes every 50 ms: never idle for 300 ms, ended only by the request's `timeoutMs`.
            let event = Array("data: {\"choices\":[{\"delta\":{\"content\":\"d\"}}]}\n\n".utf8)
            let body = Array(repeating: event, count: 1000).flatMap { $0 }
            let pieces = stride(from: 0, to: body.count, by: 8).map { Array(body[$0..<min($0 + 8, body.count)]) }
            return .raw(pieces: pieces, delay: .milliseconds(50))
        case .clientVanishes, .garbageFrames:
            return .stream(OpenAIStream(pieces: pieces, delay: Model.soakDelay))
        }
    }

    /// Config entries for the fault providers: short first-chunk and idle limits, so stalls end fast.
    static func providers(baseURL: String) -> String {
        allCases.compactMap(\.provider).map { name in
            """
              - name: \(name)
                type: openai-compatible
                base_url: \(baseURL)
                default_model: m
                timeouts:
                  first_chunk_ms: 300
                  idle_ms: 300
            """
        }.joined(separator: "\n")
    }

    static func register(on upstream: LoopbackUpstream) {
        for fault in allCases { upstream.register(model: fault.model, fault.scenario) }
    }

    /// Runs one faulty request on a connection of its own; returns how it ended: the error type,
    /// `ok` for a success, or `client` for client faults that get no answer by design.
    func run(socket: String) async -> String {
        switch self {
        case .clientVanishes:
            // Leaves after the first chunk: the connection closes mid-stream.
            _ = try? await NeuroLinkClient.withConnection(socketPath: socket) { client in
                for try await _ in client.stream(Model.request(model)) { break }
            }
            return "client"
        case .garbageFrames:
            let answered = try? await FrameConnection.with(path: socket) { connection in
                try await connection.send("this is not json")
                let reply = try await connection.readMessage(timeout: .seconds(10))
                try await connection.sendRaw([0, 0, 0, 100, 0x7B])  // a frame that never finishes
                return ((reply?["error"] as? [String: Any])?["data"] as? [String: Any])?["type"] as? String
            }
            return answered.flatMap { $0 } ?? "no answer"
        default:
            do {
                let result = try await NeuroLinkClient.withConnection(socketPath: socket) { client in
                    var request = Model.request(model)
                    request.provider = provider
                    request.timeoutMs = 1500
                    for try await _ in client.stream(request) {}
                    return "ok"
                }
                return result
            } catch let error as RPCError {
                return error.type.rawValue
            } catch {
                return "connection: \(error)"
            }
        }
    }
}
