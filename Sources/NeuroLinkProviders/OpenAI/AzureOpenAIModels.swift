import NeuroLinkHTTP
import NeuroLinkProtocol

/// `GET {base}/openai/models?api-version=…` with the `api-key` header. Azure's data plane lists
/// the base models the resource can use (OpenAI's `data` shape), not its deployments: deployments
/// are only listed by the management API, which needs an Azure AD token rather than a key.
extension AzureOpenAIAdapter {
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        callRequest(.get("/openai/models"), timeouts: timeouts)
    }

    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        try OpenAIModelList.models(body, provider: endpoint.name)
    }
}
