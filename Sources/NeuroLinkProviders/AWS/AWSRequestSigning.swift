import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What SigV4-signed adapters (Bedrock, SageMaker) share: the configured region and the last
/// step of building a request, signing it.
enum AWSRequestSigning {
    /// The endpoint's `options["region"]`, checked, since it becomes part of a host and the signature.
    static func region(of endpoint: ProviderEndpoint) throws(RPCError) -> String {
        guard let region = endpoint.options["region"], AWSRegion.isValid(region) else {
            throw RPCError(
                .upstreamAuth,
                "\(endpoint.name): no valid AWS region configured (set region or AWS_REGION)",
                data: ErrorData(type: .upstreamAuth, retryable: false, provider: endpoint.name)
            )
        }
        return region
    }

    /// Signs `request` with the endpoint's AWS credentials for `service`. Without credentials, a
    /// configured API key is sent as a bearer token when `bearerKeys` allows it (Bedrock API keys).
    static func authorize(
        _ request: inout HTTPRequest,
        endpoint: ProviderEndpoint,
        region: String,
        service: String,
        bearerKeys: Bool,
        clock: @escaping @Sendable () -> Date
    ) throws(RPCError) {
        if let credentials = endpoint.awsCredentials {
            let signer = SigV4Signer(credentials: credentials, region: region, service: service, clock: clock)
            do { try signer.sign(&request) } catch {
                throw RPCError(.internal, "\(endpoint.name): could not sign the request (invalid base URL)")
            }
        } else if bearerKeys, let key = endpoint.apiKey {
            request.headers.append(HTTPHeader("authorization", "Bearer \(key.value)"))
        } else {
            throw RPCError(
                .upstreamAuth,
                "\(endpoint.name): no AWS credentials found",
                data: ErrorData(type: .upstreamAuth, retryable: false, provider: endpoint.name)
            )
        }
    }

    /// `defaults` followed by the endpoint's configured headers, which replace defaults of the same name.
    static func headers(_ defaults: [HTTPHeader], configured: [HTTPHeader]) -> [HTTPHeader] {
        let names = Set(configured.map { $0.name.lowercased() })
        return defaults.filter { !names.contains($0.name.lowercased()) } + configured
    }
}
