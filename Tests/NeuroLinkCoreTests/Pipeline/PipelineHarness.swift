import Logging
import LoopbackUpstream
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProtocol
import Synchronization

/// The request runner in-process: a real curl loop against loopback upstreams, no daemon, no
/// socket. Each test gets its own loop, upstreams and runner.
struct PipelineHarness: Sendable {
    let runner: RequestRunner
    let records: RecordCollector

    /// Runs `body` with a runner configured by `yaml`, and stops the curl loop afterwards.
    static func with<T: Sendable>(
        _ yaml: String,
        streamBufferBytes: Int = 256 * 1024,
        _ body: (PipelineHarness) async throws -> T
    ) async throws -> T {
        let config = try ConfigLoader(environment: [:]).parse(yaml, file: nil)
        let loop = try CurlLoop(highWaterBytes: streamBufferBytes)
        loop.start()
        let records = RecordCollector()
        let runner = RequestRunner(config: config, http: loop, logger: Logger(label: "test"), recorders: [records])
        do {
            let result = try await body(PipelineHarness(runner: runner, records: records))
            await loop.shutdown()
            return result
        } catch {
            await loop.shutdown()
            throw error
        }
    }

    /// Runs one request to its end; `onChunks` sees each batch as it is sent (e.g. to cancel).
    func run(
        _ params: StreamRequest,
        id: RPCID = .number(1),
        method: String = Method.stream,
        caller: Caller = Caller(),
        onChunks: @escaping @Sendable (RequestContext, [OutgoingChunk]) -> Void = { _, _ in }
    ) async throws -> Outcome {
        let context = try runner.start(id: id, method: method, caller: caller, scope: .detached)
        let sink = RecordingSink(context: context, streaming: method == Method.stream, onChunks: onChunks)
        let result = await runner.run(params, context: context, sink: sink)
        return Outcome(chunks: sink.chunks, responses: sink.responses, result: result)
    }

    struct Outcome {
        var chunks: [OutgoingChunk]
        /// What the sink received as the final response (exactly one per request).
        var responses: [Result<StreamResult, RPCError>]
        var result: Result<StreamResult, RPCError>

        var text: String {
            chunks.compactMap { if case .text(let piece) = $0 { piece } else { nil } }.joined()
        }
        var finishes: Int {
            chunks.count { if case .finish = $0 { true } else { false } }
        }
        var notices: [Notice] {
            chunks.compactMap { if case .notice(let notice) = $0 { notice } else { nil } }
        }
        var answer: StreamResult? { try? result.get() }
        var error: RPCError? {
            if case .failure(let error) = result { error } else { nil }
        }
    }
}

/// A sink that keeps everything it is given, shared by value like the daemon's writer.
struct RecordingSink: ChunkSink {
    private final class Box: Sendable {
        let chunks = Mutex<[OutgoingChunk]>([])
        let responses = Mutex<[Result<StreamResult, RPCError>]>([])
    }

    private let box = Box()
    let context: RequestContext
    let deliversChunks: Bool
    let onChunks: @Sendable (RequestContext, [OutgoingChunk]) -> Void

    init(
        context: RequestContext,
        streaming: Bool,
        onChunks: @escaping @Sendable (RequestContext, [OutgoingChunk]) -> Void
    ) {
        self.context = context
        self.deliversChunks = streaming
        self.onChunks = onChunks
    }

    var chunks: [OutgoingChunk] { box.chunks.withLock { $0 } }
    var responses: [Result<StreamResult, RPCError>] { box.responses.withLock { $0 } }

    nonisolated(nonsending) mutating func send(_ chunks: [OutgoingChunk]) async throws {
        guard deliversChunks else { return }
        box.chunks.withLock { $0 += chunks }
        onChunks(context, chunks)
    }

    mutating func respond(_ result: Result<StreamResult, RPCError>) async {
        box.responses.withLock { $0.append(result) }
    }
}

/// Every record the runner produced.
final class RecordCollector: RequestRecorder {
    private let records = Mutex<[RequestRecord]>([])
    func record(_ record: RequestRecord) { records.withLock { $0.append(record) } }
    var all: [RequestRecord] { records.withLock { $0 } }
}

/// A config with one `openai-compatible` provider per upstream, named `p0`, `p1`, ...
func providersConfig(_ upstreams: [LoopbackUpstream], extra: String = "") -> String {
    var yaml = "providers:\n"
    for (index, upstream) in upstreams.enumerated() {
        yaml += """
              - name: p\(index)
                type: openai-compatible
                base_url: \(upstream.baseURL)
                default_model: m

            """
    }
    return yaml + extra
}

/// Runs `body` with `count` loopback upstreams and shuts them down afterwards.
func withUpstreams<T: Sendable>(_ count: Int, _ body: ([LoopbackUpstream]) async throws -> T) async throws -> T {
    var upstreams: [LoopbackUpstream] = []
    do {
        for _ in 0..<count { upstreams.append(try await LoopbackUpstream.start()) }
        let result = try await body(upstreams)
        for upstream in upstreams { try? await upstream.shutdown() }
        return result
    } catch {
        for upstream in upstreams { try? await upstream.shutdown() }
        throw error
    }
}
