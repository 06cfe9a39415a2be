import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/models` with `x-goog-api-key` → `{"models": [{"name": "models/…", "displayName",
/// "supportedGenerationMethods"}]}`. `pageSize=1000` (the maximum) avoids paging.
extension GeminiAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        callRequest(.get("/models", query: [ProviderCall.QueryItem("pageSize", "1000")]), timeouts: timeouts)
    }

    /// The ids without their `models/` prefix, which is what `model` takes. Models that cannot
    /// generate content (embedding, answer-only models) are left out: they cannot serve a stream.
    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        struct Body: Decodable {
            // An API key with access to no model gets `{}`.
            var models: [Entry]?
            struct Entry: Decodable {
                var name: String
                var displayName: String?
                var supportedGenerationMethods: [String]?
            }
        }
        return try ModelListing.decode(Body.self, from: body, provider: endpoint.name).models.map { entries in
            entries.compactMap { entry in
                if let methods = entry.supportedGenerationMethods,
                    !methods.contains("generateContent"), !methods.contains("streamGenerateContent")
                {
                    return nil
                }
                let id = entry.name.hasPrefix("models/") ? String(entry.name.dropFirst("models/".count)) : entry.name
                return ModelInfo(provider: endpoint.name, id: id, displayName: entry.displayName)
            }
        } ?? []
    }
}
