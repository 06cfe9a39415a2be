import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/v1beta1/publishers/google/models` (Model Garden's publisher model list) →
/// `{"publisherModels": [{"name": "publishers/google/models/gemini-…", "versionId", "launchStage"}],
/// "nextPageToken"}`. Only the first page is read. The bearer token is added by
/// ``VertexAdapter/authorize(_:)`` like for streams.
extension VertexAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        let location = endpoint.options[VertexSettings.Key.location] ?? VertexSettings.defaultLocation
        guard let base = serviceURL(location: location) else { return nil }
        let call = ProviderCall.get("/publishers/google/models", query: [ProviderCall.QueryItem("pageSize", "300")])
        return request(call, root: base + "/v1beta1", timeouts: timeouts)
    }

    /// The ids without their `publishers/google/models/` prefix, which is what `model` takes.
    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        struct Body: Decodable {
            // A publisher without models gets `{}`.
            var publisherModels: [Entry]?
            struct Entry: Decodable {
                var name: String
            }
        }
        let prefix = "publishers/google/models/"
        return try ModelListing.decode(Body.self, from: body, provider: endpoint.name).publisherModels.map { entries in
            entries.map { entry in
                let id = entry.name.hasPrefix(prefix) ? String(entry.name.dropFirst(prefix.count)) : entry.name
                return ModelInfo(provider: endpoint.name, id: id)
            }
        } ?? []
    }
}
