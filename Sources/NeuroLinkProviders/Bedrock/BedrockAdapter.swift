import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

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
        guard let region = endpoint.options["region"], AWSRegion.isValid(region) else {
            throw RPCError(
                .upstreamAuth,
                "\(endpoint.name): no valid AWS region configured (set region or AWS_REGION)",
                data: ErrorData(type: .upstreamAuth, retryable: false, provider: endpoint.name)
            )
        }
        guard !request.model.isEmpty else {
            throw RPCError(.invalidParams, "\(endpoint.name): a Bedrock model id is required")
        }
        // Model ids contain '.' and ':', and ARNs '/', all legitimate; '..' segments and the like are not.
        try ModelPathSegment.validate(request.model, provider: endpoint.name, allowsSlash: true)
        let wire = try BedrockRequestBody(request)
        let body: Data
        do { body = try JSONEncoder().encode(wire) } catch {
            throw RPCError(.internal, "could not encode the request for \(endpoint.name)")
        }
        let base = endpoint.baseURL.isEmpty ? Self.baseURL(region: region) : endpoint.baseURL
        var headers = [
            HTTPHeader("content-type", "application/json"),
            HTTPHeader("accept", "application/vnd.amazon.eventstream"),
        ]
        let configured = Set(endpoint.headers.map { $0.name.lowercased() })
        headers.removeAll { configured.contains($0.name.lowercased()) }
        headers += endpoint.headers
        var http = HTTPRequest(
            method: "POST",
            url: base + Self.streamPath(model: request.model),
            headers: headers,
            body: Array(body),
            timeouts: timeouts
        )
        if let credentials = endpoint.awsCredentials {
            let signer = SigV4Signer(
                credentials: credentials,
                region: region,
                service: Self.signingService,
                clock: clock
            )
            do { try signer.sign(&http) } catch {
                throw RPCError(.internal, "\(endpoint.name): could not sign the request (invalid base URL)")
            }
        } else if let key = endpoint.apiKey {
            http.headers.append(HTTPHeader("authorization", "Bearer \(key.value)"))
        } else {
            throw RPCError(
                .upstreamAuth,
                "\(endpoint.name): no AWS credentials found",
                data: ErrorData(type: .upstreamAuth, retryable: false, provider: endpoint.name)
            )
        }
        return http
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        BedrockStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        BedrockErrors.http(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}
