import Crypto
import Foundation
import _CryptoExtras

@testable import NeuroLinkProviders

/// A service account with a freshly generated key, for Vertex tests: nothing secret is checked in.
struct VertexTestAccount: Sendable {
    let key: _RSA.Signing.PrivateKey
    let email = "tester@project-x.iam.gserviceaccount.com"
    let keyId = "key-1234"
    let tokenURI: String

    /// Generating a 2048-bit key takes a moment, so tests share one.
    static let shared: VertexTestAccount? = try? VertexTestAccount(tokenURI: "https://oauth2.example.test/token")

    init(tokenURI: String) throws {
        key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.tokenURI = tokenURI
    }

    /// The key file Google would issue, PKCS#8 PEM and all.
    func keyFile(projectId: String? = "project-x", type: String = "service_account") -> Data {
        var object: [String: Any] = [
            "type": type, "client_email": email, "private_key_id": keyId,
            "private_key": key.pkcs8PEMRepresentation, "token_uri": tokenURI, "client_id": "1",
        ]
        object["project_id"] = projectId
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    var account: VertexServiceAccount {
        VertexServiceAccount(
            clientEmail: email,
            privateKey: Secret(key.pkcs8PEMRepresentation),
            privateKeyId: keyId,
            tokenURI: tokenURI,
            projectId: "project-x"
        )
    }

    /// Checks a JWT the way Google's token endpoint does: RS256 over `header.claims` with this key.
    func verify(_ jwt: String) -> (header: [String: Any], claims: [String: Any])? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]),
            let header = Base64URL.decode(parts[0]).flatMap({
                try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
            }),
            let claims = Base64URL.decode(parts[1]).flatMap({
                try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
            })
        else { return nil }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        guard
            key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: SHA256.hash(data: input),
                padding: .insecurePKCS1v1_5
            )
        else { return nil }
        return (header, claims)
    }
}

/// A token endpoint in memory: records each post and answers from a script.
final class RecordingTokenEndpoint: @unchecked Sendable {
    private let lock = NSLock()
    private var posts: [(url: String, form: String)] = []
    private let answer: @Sendable (Int) -> TokenEndpointClient.Response

    init(answer: @escaping @Sendable (Int) -> TokenEndpointClient.Response) {
        self.answer = answer
    }

    var recorded: [(url: String, form: String)] { lock.withLock { posts } }

    var post: TokenEndpointClient.Post {
        { url, form in
            let count = self.lock.withLock {
                self.posts.append((url, String(decoding: form, as: UTF8.self)))
                return self.posts.count
            }
            return .success(self.answer(count))
        }
    }

    static func token(_ value: String, expiresIn: Int = 3599) -> TokenEndpointClient.Response {
        TokenEndpointClient.Response(
            status: 200,
            body: Array(#"{"access_token":"\#(value)","expires_in":\#(expiresIn),"token_type":"Bearer"}"#.utf8)
        )
    }

    /// The `assertion` field of a recorded form.
    static func assertion(in form: String) -> String? {
        form.split(separator: "&").first { $0.hasPrefix("assertion=") }.map { String($0.dropFirst("assertion=".count)) }
    }
}
