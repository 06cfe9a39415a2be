import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

/// What every adapter's model listing shares: the `GET` request and strict reading of the body.
enum ModelListing {
    /// A `GET` for `url` with the adapter's auth headers, asking for JSON.
    static func get(_ url: String, headers: [HTTPHeader], timeouts: TransferTimeouts) -> HTTPRequest {
        HTTPRequest(
            method: "GET",
            url: url,
            headers: [HTTPHeader("Accept", "application/json")] + headers,
            body: nil,
            timeouts: timeouts
        )
    }

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
