import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Amazon Bedrock's ConverseStream API (`POST {baseURL}/model/{modelId}/converse-stream`).
///
/// Endpoint settings it reads:
/// - `options["region"]`: the AWS region, required (it is part of the signature);
/// - `baseURL`: when empty, `https://bedrock-runtime.{region}.amazonaws.com` (``baseURL(region:)``);
///   the config loader fills it the same way, so it is only empty for hand-built endpoints;
/// - `awsCredentials`: signs the request with SigV4 for the service `bedrock`; without them,
///   `apiKey` is sent as a Bedrock API key (`Authorization: Bearer …`).
public struct BedrockAdapter: ProviderAdapter {
    /// The SigV4 signing name of the Bedrock runtime.
    public static let signingService = "bedrock"

    public let endpoint: ProviderEndpoint
    /// The signing time; injectable so tests get fixed signatures.
    let clock: @Sendable () -> Date

    public init(endpoint: ProviderEndpoint, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.clock = clock
    }

    /// The public Bedrock runtime endpoint of `region`.
    public static func baseURL(region: String) -> String {
        "https://bedrock-runtime.\(region).amazonaws.com"
    }

    /// The URL path of a model's stream; the id is percent-encoded as the AWS SDKs do it
    /// (`anthropic.claude-3:0` → `anthropic.claude-3%3A0`, the `/` of an ARN → `%2F`).
    public static func streamPath(model: String) -> String {
        "/model/\(SigV4URIEncoding.encode(model))/converse-stream"
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let region = try AWSRequestSigning.region(of: endpoint)
        guard !request.model.isEmpty else {
            throw RPCError(.invalidParams, "\(endpoint.name): a Bedrock model id is required")
        }
        // Model ids contain '.' and ':', and ARNs '/', all legitimate; '..' segments and the like are not.
        try ModelPathSegment.validate(request.model, provider: endpoint.name, allowsSlash: true)
        let call = try ProviderCall.post(
            Self.streamPath(model: request.model),
            json: BedrockRequestBody(request),
            accept: "application/vnd.amazon.eventstream",
            provider: endpoint.name
        )
        return try self.request(call, root: runtimeURL(region: region), region: region, timeouts: timeouts)
    }

    /// `call` below the runtime's base URL (`/model/{id}/invoke`, `/model/{id}/converse`), signed.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let region = try AWSRequestSigning.region(of: endpoint)
        return try request(call, root: runtimeURL(region: region), region: region, timeouts: timeouts)
    }

    /// The configured base URL, or the runtime endpoint of `region` for hand-built endpoints.
    func runtimeURL(region: String) -> String {
        endpoint.baseURL.isEmpty ? Self.baseURL(region: region) : endpoint.baseURL
    }

    /// `call` below `root` (the runtime or the control plane), signed with SigV4 for `bedrock`, or
    /// with the API key as a bearer token when there are no AWS credentials.
    func request(
        _ call: ProviderCall,
        root: String,
        region: String,
        timeouts: TransferTimeouts
    ) throws(RPCError) -> HTTPRequest {
        var http = unsignedRequest(call, root: root, timeouts: timeouts)
        try AWSRequestSigning.authorize(
            &http,
            endpoint: endpoint,
            region: region,
            service: Self.signingService,
            bearerKeys: true,
            clock: clock
        )
        return http
    }

    /// `call` below `root` with every header but the credentials.
    func unsignedRequest(_ call: ProviderCall, root: String, timeouts: TransferTimeouts) -> HTTPRequest {
        HTTPRequest(
            call,
            url: call.url(root: root),
            headers: AWSRequestSigning.headers(call.baseHeaders, configured: endpoint.headers),
            timeouts: timeouts
        )
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        BedrockStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        BedrockErrors.http(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}
