import NIOCore
import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A SageMaker real-time endpoint through `InvokeEndpointWithResponseStream`:
/// `POST {base}/endpoints/{endpoint_name}/invocations-response-stream`, SigV4-signed for the
/// service `sagemaker`, answered with an `application/vnd.amazon.eventstream` of `PayloadPart`s.
///
/// Endpoint settings it reads (see ``SageMakerSettings``): `region` (required, part of the
/// signature), `endpoint_name` (required), `container` (`openai`, the default, or `tgi`),
/// `target_model`, `target_variant`, `inference_component` (sent as the `X-Amzn-SageMaker-*`
/// headers of the same names) and `model_as`; `baseURL`, when empty,
/// `https://runtime.sagemaker.{region}.amazonaws.com`.
public struct SageMakerAdapter: ProviderAdapter {
    /// The SigV4 signing name of the SageMaker runtime.
    public static let signingService = "sagemaker"

    public let endpoint: ProviderEndpoint
    /// The signing time; injectable so tests get fixed signatures.
    let clock: @Sendable () -> Date

    /// An adapter for `endpoint`; `clock` is the signing time, injectable for fixed signatures in tests.
    public init(endpoint: ProviderEndpoint, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.clock = clock
    }

    var container: SageMakerSettings.Container {
        endpoint.options[SageMakerSettings.Key.container].flatMap(SageMakerSettings.Container.init(rawValue:))
            ?? .openai
    }

    var modelAs: SageMakerSettings.ModelAs {
        endpoint.options[SageMakerSettings.Key.modelAs].flatMap(SageMakerSettings.ModelAs.init(rawValue:)) ?? .body
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let (region, root) = try apiRoot()
        let body = try requestBody(request)
        let call = ProviderCall(
            method: "POST",
            path: "/invocations-response-stream",
            headers: try routingHeaders(model: request.model),
            body: body,
            accept: "application/vnd.amazon.eventstream"
        )
        return try self.request(call, root: root, region: region, timeouts: timeouts)
    }

    /// `call` below the endpoint's URL, `{base}/endpoints/{endpoint_name}` (`/invocations` is the
    /// non-streamed invocation), signed; routing headers are the call's own.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let (region, root) = try apiRoot()
        return try request(call, root: root, region: region, timeouts: timeouts)
    }

    /// The configured region and the endpoint's URL, checked: both become part of the request.
    private func apiRoot() throws(RPCError) -> (region: String, root: String) {
        let region = try AWSRequestSigning.region(of: endpoint)
        guard let name = endpoint.options[SageMakerSettings.Key.endpointName],
            SageMakerSettings.isValidEndpointName(name)
        else {
            throw RPCError(
                .invalidParams,
                "\(endpoint.name): no valid SageMaker endpoint name configured (set endpoint_name or SAGEMAKER_DEFAULT_ENDPOINT)"
            )
        }
        let base = endpoint.baseURL.isEmpty ? SageMakerSettings.baseURL(region: region) : endpoint.baseURL
        return (region, base + "/endpoints/\(SigV4URIEncoding.encode(name))")
    }

    /// `call` below `root`, signed with SigV4 for `sagemaker` (SageMaker takes no API keys).
    private func request(
        _ call: ProviderCall,
        root: String,
        region: String,
        timeouts: TransferTimeouts
    ) throws(RPCError) -> HTTPRequest {
        var http = HTTPRequest(
            call,
            url: call.url(root: root),
            headers: AWSRequestSigning.headers(call.baseHeaders, configured: endpoint.headers),
            timeouts: timeouts
        )
        try AWSRequestSigning.authorize(
            &http,
            endpoint: endpoint,
            region: region,
            service: Self.signingService,
            bearerKeys: false,
            clock: clock
        )
        return http
    }

    /// The container's own request body.
    private func requestBody(_ request: ChatRequest) throws(RPCError) -> [UInt8] {
        do {
            switch container {
            case .openai:
                var buffer = ByteBuffer()
                OpenAIRequestBody(request, useMaxCompletionTokens: false).writeJSON(into: &buffer)
                return Array(buffer.readableBytesView)
            case .tgi: return Array(try JSONEncoder().encode(try TGIRequestBody(request, provider: endpoint.name)))
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "could not encode the request for \(endpoint.name)")
        }
    }

    /// `X-Amzn-SageMaker-Target-Model`, `-Target-Variant` and `-Inference-Component`, from the
    /// config or, with `model_as`, from the request's model.
    private func routingHeaders(model: String) throws(RPCError) -> [HTTPHeader] {
        let options = endpoint.options
        var targetModel = options[SageMakerSettings.Key.targetModel]
        var component = options[SageMakerSettings.Key.inferenceComponent]
        switch modelAs {
        case .body: break
        case .targetModel: targetModel = model
        case .inferenceComponent: component = model
        }
        var headers: [HTTPHeader] = []
        for (name, value) in [
            ("X-Amzn-SageMaker-Target-Model", targetModel),
            ("X-Amzn-SageMaker-Target-Variant", options[SageMakerSettings.Key.targetVariant]),
            ("X-Amzn-SageMaker-Inference-Component", component),
        ] {
            guard let value else { continue }
            guard SageMakerSettings.isHeaderValue(value) else {
                throw RPCError(.invalidParams, "\(endpoint.name): \"\(value.prefix(64))\" cannot be sent as \(name)")
            }
            headers.append(HTTPHeader(name, value))
        }
        return headers
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        let inner: any ProviderStreamDecoder =
            switch container {
            case .openai: OpenAIStreamDecoder(provider: endpoint.name)
            case .tgi: TGIStreamDecoder(provider: endpoint.name)
            }
        return SageMakerStreamDecoder(provider: endpoint.name, container: inner)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        SageMakerErrors.http(provider: endpoint.name, status: status, headers: headers, body: body)
    }

    // No listing: the runtime API has none, and the endpoint serves whatever it was deployed with.
}
