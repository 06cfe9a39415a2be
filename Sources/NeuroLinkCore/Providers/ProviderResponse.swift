import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A provider's complete answer to a non-streamed call (see ``ProviderCaller``).
public struct ProviderResponse: Sendable {
    /// The provider's configured name, for errors about the body.
    public var provider: String
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(provider: String, status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.provider = provider
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as a JSON value of any shape.
    ///
    /// - Throws: `upstream_bad_response` when it is not JSON.
    public func json() throws(RPCError) -> JSONValue {
        try decode(JSONValue.self)
    }

    /// The body decoded as `type`.
    ///
    /// - Throws: `upstream_bad_response` when it does not have that shape: the provider's fault,
    ///   reported like a malformed stream.
    public func decode<Body: Decodable>(_ type: Body.Type) throws(RPCError) -> Body {
        try ProviderJSON.decode(type, from: body, provider: provider, what: "the response")
    }
}
