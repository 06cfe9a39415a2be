import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An OAuth 2.0 access token and when to stop using it.
struct AccessToken: Sendable {
    /// Refresh at most this long before expiry, so no request starts with a token about to lapse.
    static let refreshMargin: TimeInterval = 300

    var value: Secret
    /// After this the token is rejected.
    var expiresAt: Date
    /// After this a new token is fetched; the old one is still used if that fails.
    var refreshAt: Date

    /// A token valid for `lifetime` seconds from `now`, refreshed ``refreshMargin`` early (or
    /// halfway, for tokens shorter than twice the margin).
    init(value: Secret, lifetime: TimeInterval, now: Date) {
        self.value = value
        expiresAt = now.addingTimeInterval(lifetime)
        refreshAt = now.addingTimeInterval(lifetime - min(Self.refreshMargin, lifetime / 2))
    }

    /// Reads a token endpoint's success body, `{"access_token", "expires_in", "token_type"}`.
    ///
    /// The token becomes an HTTP header value, so anything but printable ASCII without spaces is
    /// refused rather than sent.
    static func parse(_ body: [UInt8], now: Date) throws(TokenFailure) -> AccessToken {
        struct Response: Decodable {
            var access_token: String?
            var expires_in: Double?
            var token_type: String?
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: Data(body)) else {
            throw TokenFailure("the token response is not the expected JSON", retryable: true)
        }
        guard let token = response.access_token, isHeaderSafe(token) else {
            throw TokenFailure("the token response has no usable access_token", retryable: true)
        }
        if let type = response.token_type, type.lowercased() != "bearer" {
            throw TokenFailure("the token response has token_type \"\(type.prefix(20))\", expected Bearer")
        }
        let lifetime = response.expires_in.flatMap { $0.isFinite && $0 > 0 ? min($0, 86_400) : nil } ?? 3600
        return AccessToken(value: Secret(token), lifetime: lifetime, now: now)
    }

    /// Visible ASCII only: no spaces, no control characters, nothing that could end a header.
    static func isHeaderSafe(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 8192 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}

/// Why an access token could not be obtained, before it becomes a protocol error naming the
/// provider. Messages never contain a credential.
struct TokenFailure: Error, Sendable, Hashable {
    var message: String
    /// Whether trying again later may work (a network failure, a 5xx from the token endpoint).
    var retryable: Bool

    init(_ message: String, retryable: Bool = false) {
        self.message = message
        self.retryable = retryable
    }

    /// The protocol error: always `upstream_auth`, since without a token nothing can be sent.
    func rpcError(provider: String) -> RPCError {
        RPCError(
            .upstreamAuth,
            "\(provider): could not get a Vertex AI access token: \(message)",
            data: ErrorData(
                type: .upstreamAuth,
                retryable: retryable,
                provider: provider,
                failureClass: retryable ? .network : .auth
            )
        )
    }
}
