import Foundation
import NeuroLinkProtocol

/// What every adapter's model listing shares: strict reading of the body. The request is each
/// adapter's ``ProviderAdapter/modelsRequest(timeouts:)``, built like its other calls.
enum ModelListing {
    /// Decodes a listing body; a body that does not have the documented shape is the provider's
    /// fault, reported like a malformed stream.
    static func decode<Body: Decodable>(
        _ type: Body.Type,
        from body: [UInt8],
        provider: String
    ) throws(RPCError) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw RPCError(
                .upstreamBadResponse,
                "\(provider): the model list is not in the expected format",
                data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
            )
        }
    }
}
