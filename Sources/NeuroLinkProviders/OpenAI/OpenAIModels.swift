import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/models` → `{"data": [{"id", "owned_by"}]}`: OpenAI and every server that copies
/// its API (llama.cpp, vLLM, LM Studio, Ollama's `/v1`, the presets).
extension OpenAIAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        callRequest(.get("/models"), timeouts: timeouts)
    }

    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        try OpenAIModelList.models(body, provider: endpoint.name)
    }
}

/// The OpenAI list shape, shared with Azure.
enum OpenAIModelList {
    struct Body: Decodable {
        var data: [Entry]
        struct Entry: Decodable {
            var id: String
            var owned_by: String?
        }
    }

    static func models(_ body: [UInt8], provider: String) throws(RPCError) -> [ModelInfo] {
        try ModelListing.decode(Body.self, from: body, provider: provider).data
            .map { ModelInfo(provider: provider, id: $0.id, ownedBy: $0.owned_by) }
    }
}
