import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Exchanges a service account's signed JWT for an access token at the account's token endpoint.
struct ServiceAccountTokenSource: Sendable {
    let jwt: ServiceAccountJWT
    /// Where the grant is posted; also the JWT's audience, as Google requires.
    let tokenURI: String
    let post: TokenEndpointClient.Post

    init(account: VertexServiceAccount, tokenURI: String, post: @escaping TokenEndpointClient.Post) throws(TokenFailure)
    {
        let key: _RSA.Signing.PrivateKey
        do { key = try account.signingKey() } catch { throw TokenFailure("the service account's \(error.message)") }
        jwt = ServiceAccountJWT(clientEmail: account.clientEmail, keyId: account.privateKeyId, key: key)
        self.tokenURI = tokenURI
        self.post = post
    }

    /// One token request: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`.
    func fetch(now: Date) async throws(TokenFailure) -> AccessToken {
        let assertion = try jwt.assertion(audience: tokenURI, now: now)
        let form =
            "grant_type=" + Self.formEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion="
            + Self.formEncode(assertion)
        let response = try await post(tokenURI, Array(form.utf8)).get()
        guard (200..<300).contains(response.status) else {
            throw Self.refusal(status: response.status, body: response.body)
        }
        return try AccessToken.parse(response.body, now: now)
    }

    /// `{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}` → a message naming
    /// both. The description comes from the endpoint, so it is shortened and scrubbed.
    static func refusal(status: Int, body: [UInt8]) -> TokenFailure {
        struct OAuthError: Decodable {
            var error: String?
            var error_description: String?
        }
        let parsed = try? JSONDecoder().decode(OAuthError.self, from: Data(body))
        let detail = [parsed?.error, parsed?.error_description].compactMap { $0 }.joined(separator: ": ")
        let text = detail.isEmpty ? "" : ": " + Redaction.scrub(String(detail.prefix(300)))
        return TokenFailure(
            "the token endpoint refused the service account (HTTP \(status)\(text))",
            retryable: status == 429 || status >= 500
        )
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters percent-encoded.
    static func formEncode(_ text: String) -> String {
        SigV4URIEncoding.encode(text)
    }
}
