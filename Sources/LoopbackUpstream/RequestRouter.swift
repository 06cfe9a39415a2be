import NIOCore
import NIOHTTP1

/// Maps a complete request to the script that answers it.
enum RequestRouter {
    static func script(
        for head: HTTPRequestHead,
        chat: ChatRequestBody?,
        state: UpstreamState,
        allocator: ByteBufferAllocator
    ) -> any ResponseScript {
        let framing = ResponseFraming(version: head.version, keepAlive: head.isKeepAlive)
        let path =
            head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? head.uri
        switch (head.method, path) {
        case (.GET, "/v1/models"):
            // OpenAI's shape; Anthropic's list has the same `data[].id`, so it serves both.
            return framing.fixedResponse(status: 200, body: OpenAIWireFormat.modelsList, allocator: allocator)
        case (.GET, "/v1beta/models"):
            return framing.fixedResponse(status: 200, body: ModelListBodies.gemini, allocator: allocator)
        case (.GET, "/api/tags"):
            return framing.fixedResponse(status: 200, body: ModelListBodies.ollama, allocator: allocator)
        case (.POST, let hook) where hook.hasPrefix("/webhook"):
            // A webhook receiver (alerts): every delivery is recorded like any request.
            return framing.fixedResponse(status: 200, body: "{}", allocator: allocator)
        case (.POST, "/v1/embeddings"), (.POST, "/api/embed"):
            return embeddingsScript(
                chat: chat,
                ollama: path == "/api/embed",
                framing: framing,
                state: state,
                allocator: allocator
            )
        case (.POST, _):
            // Every provider format is served by path-independent scenarios: `.stream` speaks OpenAI's
            // format; the other formats are scripted byte for byte with `.raw`.
            return chatScript(chat: chat, framing: framing, state: state, allocator: allocator)
        default:
            let message = "Invalid URL (\(head.method.rawValue) \(path))"
            let error = OpenAIWireFormat.errorObject(message: message, type: "invalid_request_error", code: nil)
            return framing.fixedResponse(status: 404, body: error, allocator: allocator)
        }
    }

    /// Test tooling for non-streamed JSON calls: the model's scenario like a chat request's, except
    /// that a ``Scenario/stream(_:)`` scenario (the default) answers with
    /// ``OpenAIWireFormat/embeddingsList`` and ``Scenario/wordVectors(dimensions:delay:)`` with a
    /// vector per input, in OpenAI's or (`ollama`) Ollama's format.
    private static func embeddingsScript(
        chat: ChatRequestBody?,
        ollama: Bool,
        framing: ResponseFraming,
        state: UpstreamState,
        allocator: ByteBufferAllocator
    ) -> any ResponseScript {
        guard let request = chat else { return unparsable(framing: framing, allocator: allocator) }
        switch state.scenario(for: request.model) {
        case .stream:
            return framing.fixedResponse(status: 200, body: OpenAIWireFormat.embeddingsList, allocator: allocator)
        case .wordVectors(let dimensions, let delay):
            let vectors = request.inputs.map { WordVectors.vector($0, dimensions: dimensions) }
            let body = ollama ? WordVectors.ollamaBody(vectors) : WordVectors.openAIBody(vectors)
            let response = framing.fixedResponse(status: 200, body: body, allocator: allocator)
            return delay > .zero ? response.prepending([.pause(delay)]) : response
        case let scenario:
            return script(for: scenario, request: request, framing: framing, allocator: allocator)
        }
    }

    private static func unparsable(framing: ResponseFraming, allocator: ByteBufferAllocator) -> FixedResponseScript {
        let error = OpenAIWireFormat.errorObject(
            message: "We could not parse the JSON body of your request.",
            type: "invalid_request_error",
            code: nil
        )
        return framing.fixedResponse(status: 400, body: error, allocator: allocator)
    }

    private static func chatScript(
        chat: ChatRequestBody?,
        framing: ResponseFraming,
        state: UpstreamState,
        allocator: ByteBufferAllocator
    ) -> any ResponseScript {
        guard let request = chat else { return unparsable(framing: framing, allocator: allocator) }
        return script(for: state.scenario(for: request.model), request: request, framing: framing, allocator: allocator)
    }

    private static func script(
        for scenario: Scenario,
        request: ChatRequestBody,
        framing: ResponseFraming,
        allocator: ByteBufferAllocator
    ) -> any ResponseScript {
        switch scenario {
        case .stream(let stream):
            let model = request.model ?? OpenAIWireFormat.fallbackModel
            if request.stream {
                return OpenAIStreamScript(
                    head: framing.eventStreamHead(extraHeaders: stream.headers),
                    stream: stream,
                    model: model,
                    includeUsage: request.includeUsage
                )
            }
            return completionScript(stream: stream, model: model, framing: framing, allocator: allocator)
        case .error(let status, let headers, let errorBody):
            return framing.fixedResponse(status: status, body: errorBody, extraHeaders: headers, allocator: allocator)
        case .raw(let pieces, let delay):
            return RawResponseScript(head: framing.eventStreamHead(), pieces: pieces, delay: delay)
        case .rawWithHeaders(let pieces, let headers, let delay):
            return RawResponseScript(head: framing.eventStreamHead(extraHeaders: headers), pieces: pieces, delay: delay)
        case .rawThenDrop(let pieces, let delay):
            return RawResponseScript(head: framing.eventStreamHead(), pieces: pieces, delay: delay, dropAtEnd: true)
        case .stall:
            return FixedResponseScript([.head(framing.eventStreamHead()), .hold])
        case .wordVectors:
            let error = OpenAIWireFormat.errorObject(
                message: "This model only supports embeddings.",
                type: "invalid_request_error",
                code: nil
            )
            return framing.fixedResponse(status: 400, body: error, allocator: allocator)
        }
    }

    /// A non-streaming answer for a ``Scenario/stream(_:)`` scenario.
    private static func completionScript(
        stream: OpenAIStream,
        model: String,
        framing: ResponseFraming,
        allocator: ByteBufferAllocator
    ) -> any ResponseScript {
        let wait = stream.firstDelay ?? stream.delay
        let steps: [ResponseStep] = wait > .zero ? [.pause(wait)] : []
        let response: FixedResponseScript
        switch stream.ending {
        case .dropAfter:
            return FixedResponseScript(steps + [.abort])
        case .inStreamError(_, let message):
            let error = OpenAIWireFormat.errorObject(message: message, type: "server_error", code: nil)
            response = framing.fixedResponse(status: 500, body: error, allocator: allocator)
        case .done, .cleanEOFWithoutDone:
            let completion = OpenAIWireFormat.completionObject(
                model: model,
                content: stream.pieces.joined(),
                finishReason: stream.finishReason,
                usage: stream.usage ?? (prompt: 0, completion: stream.pieces.count)
            )
            response = framing.fixedResponse(status: 200, body: completion, allocator: allocator)
        }
        return response.prepending(steps)
    }
}
