import Crypto
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The signed JWT a service account presents to Google's token endpoint (the OAuth 2.0
/// JWT-bearer grant, RFC 7523), asking for a token with the `cloud-platform` scope.
struct ServiceAccountJWT {
    static let scope = "https://www.googleapis.com/auth/cloud-platform"
    /// Google accepts at most one hour between `iat` and `exp`.
    static let lifetimeSeconds = 3600

    struct Header: Codable, Equatable {
        var alg = "RS256"
        var typ = "JWT"
        var kid: String?
    }

    struct Claims: Codable, Equatable {
        var iss: String
        var scope: String
        var aud: String
        var iat: Int
        var exp: Int
    }

    let clientEmail: String
    let keyId: String?
    let key: _RSA.Signing.PrivateKey

    /// `header.claims.signature`, each part base64url; `audience` is the token endpoint's URL.
    func assertion(audience: String, now: Date) throws(TokenFailure) -> String {
        let issuedAt = Int(now.timeIntervalSince1970.rounded(.down))
        let claims = Claims(
            iss: clientEmail,
            scope: Self.scope,
            aud: audience,
            iat: issuedAt,
            exp: issuedAt + Self.lifetimeSeconds
        )
        let encoder = JSONEncoder()
        // Sorted keys keep the bytes stable, which makes the signature reproducible in tests.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signingInput: String
        do {
            signingInput =
                Base64URL.encode(try encoder.encode(Header(kid: keyId))) + "."
                + Base64URL.encode(try encoder.encode(claims))
        } catch {
            throw TokenFailure("could not encode the service-account JWT")
        }
        let signature: _RSA.Signing.RSASignature
        do {
            signature = try key.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        } catch {
            throw TokenFailure("could not sign the service-account JWT")
        }
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }
}
