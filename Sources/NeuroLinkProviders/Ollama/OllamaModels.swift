import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/api/tags` → `{"models": [{"name"}]}`: the models pulled on the server.
extension OllamaAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        var headers: [HTTPHeader] = []
        if let key = endpoint.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key.value)")) }
        return ModelListing.get(endpoint.baseURL + "/api/tags", headers: headers + endpoint.headers, timeouts: timeouts)
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
