import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/api/tags` → `{"models": [{"name"}]}`: the models pulled on the server.
extension OllamaAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        callRequest(.get("/api/tags"), timeouts: timeouts)
    }

    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        struct Body: Decodable {
            var models: [Entry]?
            struct Entry: Decodable { var name: String }
        }
        return (try ModelListing.decode(Body.self, from: body, provider: endpoint.name).models ?? [])
            .map { ModelInfo(provider: endpoint.name, id: $0.name) }
    }
}
