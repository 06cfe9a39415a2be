import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Strict reading of a provider's JSON answer (a model list, embeddings, any non-streamed call):
/// a body that does not have the documented shape is the provider's fault, reported like a
/// malformed stream.
public enum ProviderJSON {
    /// Decodes `body` as `type`.
    ///
    /// - Parameter what: the answer, as the error names it ("the model list").
    /// - Throws: `upstream_bad_response` (retryable) naming the provider and `what`.
    public static func decode<Body: Decodable>(
        _ type: Body.Type,
        from body: [UInt8],
        provider: String,
        what: String
    ) throws(RPCError) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw RPCError(
                .upstreamBadResponse,
                "\(provider): \(what) is not in the expected format",
                data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
            )
        }
    }
}

/// What every adapter's model listing shares: strict reading of the body. The request is each
/// adapter's ``ProviderAdapter/modelsRequest(timeouts:)``, built like its other calls.
enum ModelListing {
    static func decode<Body: Decodable>(
        _ type: Body.Type,
        from body: [UInt8],
        provider: String
    ) throws(RPCError) -> Body {
        try ProviderJSON.decode(type, from: body, provider: provider, what: "the model list")
    }
}
