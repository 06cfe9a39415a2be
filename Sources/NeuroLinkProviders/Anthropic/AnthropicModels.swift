import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/models` → `{"data": [{"id", "display_name"}]}`. The API pages its answer
/// (20 by default); `limit=1000`, its maximum, gets every current model in one page.
extension AnthropicAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        callRequest(.get("/models", query: [ProviderCall.QueryItem("limit", "1000")]), timeouts: timeouts)
    }

    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        struct Body: Decodable {
            var data: [Entry]
            struct Entry: Decodable {
                var id: String
                var display_name: String?
            }
        }
        return try ModelListing.decode(Body.self, from: body, provider: endpoint.name).data
            .map { ModelInfo(provider: endpoint.name, id: $0.id, displayName: $0.display_name) }
    }
}
