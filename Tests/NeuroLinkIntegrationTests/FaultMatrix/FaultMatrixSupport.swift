import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The provider columns of the fault matrix: one per streaming wire format the daemon decodes.
enum ProviderColumn: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case openAI = "OpenAI SSE"
    case anthropic = "Anthropic SSE"
    case gemini = "Gemini SSE"
    case ollama = "Ollama NDJSON"
    case bedrock = "Bedrock event stream"

    var testDescription: String { rawValue }

    var renderer: any WireRenderer {
        switch self {
        case .openAI: OpenAIRenderer()
        case .anthropic: AnthropicRenderer()
        case .gemini: GeminiRenderer()
        case .ollama: OllamaRenderer()
        case .bedrock: BedrockRenderer()
        }
    }

    /// What ends one event of a text format; `nil` for Bedrock's length-prefixed binary frames.
    var eventSeparator: [UInt8]? {
        switch self {
        case .openAI, .anthropic: Array("\n\n".utf8)
        case .gemini: Array("\r\n\r\n".utf8)
        case .ollama: Array("\n".utf8)
        case .bedrock: nil
        }
    }

    var environment: [String: String] { renderer.environment.merging(["TEST_AZURE_KEY": "k"]) { $1 } }
}

/// The matrix's shared pieces: the reference answer, the daemon config, the concurrent reference stream.
enum FaultMatrix {
    /// The model of the normal stream that runs beside every fault.
    static let referenceModel = "ref"
    /// The model the faulty request asks for.
    static let faultModel = "fault"

    /// The reference answer: multi-byte UTF-8 throughout, cut by the upstream through characters and frames.
    static let referenceScript = WireScript(
        pieces: (0..<16).map { ["Ref\($0) ", "héllo ", "👋🏽 ", "世界 "][$0 % 4] },
        usage: (11, 7)
    )
    static var referenceText: String { referenceScript.pieces.joined() }

    /// The reference answer as `column` sends it, in about 20 writes 30 ms apart (≈ 0.6 s).
    static func referenceScenario(_ column: ProviderColumn) -> Scenario {
        let bytes = column.renderer.renderBytes(referenceScript, model: referenceModel)
        return .raw(pieces: split(bytes, every: max(1, bytes.count / 20)), delay: .milliseconds(30))
    }

    /// Short limits so a stalled or dripping upstream fails within a second, and one attempt per
    /// request: the error is what the daemon makes of the fault, not the outcome of retries.
    static let limits = """
        routing:
          max_attempts: 1
          health_check:
            interval_ms: 0
        timeouts:
          first_chunk_ms: 500
          idle_ms: 500
        """

    static func config(_ column: ProviderColumn, upstream: LoopbackUpstream) -> String {
        ProviderConformanceTests.config(column.renderer, upstream: upstream) + "\n" + limits + "\n"
    }

    /// The byte offset just past the event (or frame) of `column`'s stream that holds the first
    /// occurrence of `marker`: the stream up to there is whole events, the last one carrying `marker`.
    static func endOfEvent(holding marker: String, in bytes: [UInt8], _ column: ProviderColumn) -> Int? {
        guard let at = firstIndex(of: Array(marker.utf8), in: bytes) else { return nil }
        guard let separator = column.eventSeparator else {
            // Event-stream frames start with their total length (big-endian u32).
            var start = 0
            while start + 4 <= bytes.count {
                let length = bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
                guard length > 0 else { return nil }
                if at < start + length { return start + length }
                start += length
            }
            return nil
        }
        guard let end = firstIndex(of: separator, in: bytes, from: at) else { return nil }
        return end + separator.count
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}

/// Runs `body` while a normal stream of `model` runs on a connection of its own (started, and its
/// first chunk received, before `body` begins), then expects that stream's answer to be `expected`
/// byte for byte, finished with `stop`.
func withConcurrentReference<T: Sendable>(
    socketPath: String,
    model: String = FaultMatrix.referenceModel,
    expected: String,
    _ body: () async throws -> T
) async throws -> T {
    try await NeuroLinkClient.withConnection(socketPath: socketPath) { client in
        let (started, signal) = AsyncStream<Void>.makeStream()
        async let reference = referenceStream(client, model: model, started: signal)
        for await _ in started { break }
        let result = try await body()
        let outcome = try await reference
        #expect(outcome.error == nil, "the concurrent normal stream failed: \(String(describing: outcome.error))")
        #expect(Array(outcome.text.utf8) == Array(expected.utf8), "the concurrent stream's chunks: \(outcome.text)")
        #expect(outcome.result?.text == expected)
        #expect(outcome.result?.finishReason == .stop)
        return result
    }
}

/// One stream to its end; `started` is told at the first chunk (or the end, whichever comes first).
private func referenceStream(
    _ client: NeuroLinkClient,
    model: String,
    started: AsyncStream<Void>.Continuation
) async throws -> StreamOutcome {
    defer { started.finish() }
    var outcome = StreamOutcome()
    do {
        for try await event in client.streamEvents(StreamRequest(prompt: "reference", model: model)) {
            switch event {
            case .chunk(let chunk):
                outcome.chunks.append(chunk)
                started.yield()
            case .result(let result): outcome.result = result
            }
        }
    } catch let error as RPCError {
        outcome.error = error
    }
    return outcome
}

/// The daemon is up: still running, and a `health` on a fresh connection answers `ok`.
func expectDaemonUp(_ daemon: DaemonProcess, _ context: String) async throws {
    #expect(daemon.process.isRunning, "\(context): the daemon exited")
    let health = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { try await $0.health() }
    #expect(health.status == "ok", "\(context)")
}
