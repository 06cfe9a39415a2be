import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Google Cloud service-account key file (`"type": "service_account"`), the JSON that
/// `GOOGLE_APPLICATION_CREDENTIALS` usually names.
///
/// Only the fields used to obtain access tokens are kept. The private key is a ``Secret``;
/// nothing else in the file is secret (the key id identifies the key, it does not unlock it).
public struct VertexServiceAccount: Sendable, CustomStringConvertible {
    /// Google's token endpoint, used when the file names none.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// The account's identity, the JWT's issuer (`…@….iam.gserviceaccount.com`).
    public var clientEmail: String
    /// The RSA private key, PEM (PKCS#8 `BEGIN PRIVATE KEY`, as Google issues it, or PKCS#1).
    public var privateKey: Secret
    /// Sent as the JWT's `kid`, so Google can pick the key without trying each.
    public var privateKeyId: String?
    /// Where the signed JWT is exchanged for an access token; also the JWT's audience.
    public var tokenURI: String
    /// The project the account belongs to; a default for the provider's `project`.
    public var projectId: String?

    /// Names the account only; the key never appears.
    public var description: String { "VertexServiceAccount(\(clientEmail))" }

    /// Why a key file cannot be used. The message never contains key material.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, naming the field; safe to show.
        public var message: String
        public var description: String { message }
    }

    /// Reads a key file's JSON and checks that its private key can sign.
    public static func parse(_ data: Data) throws(Problem) -> VertexServiceAccount {
        struct File: Decodable {
            var type: String?
            var client_email: String?
            var private_key: String?
            var private_key_id: String?
            var token_uri: String?
            var project_id: String?
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw Problem(message: "not a JSON service-account key file")
        }
        guard file.type == "service_account" else {
            throw Problem(
                message: (file.type == nil ? "\"type\" is missing" : "\"type\" is not \"service_account\"")
                    + " (for user credentials use token_command: gcloud auth print-access-token)"
            )
        }
        guard let email = file.client_email, !email.isEmpty else { throw Problem(message: "client_email is missing") }
        guard let pem = file.private_key, !pem.isEmpty else { throw Problem(message: "private_key is missing") }
        let account = VertexServiceAccount(
            clientEmail: email,
            privateKey: Secret(pem),
            privateKeyId: file.private_key_id.flatMap { $0.isEmpty ? nil : $0 },
            tokenURI: file.token_uri.flatMap { $0.isEmpty ? nil : $0 } ?? defaultTokenURI,
            projectId: file.project_id.flatMap { $0.isEmpty ? nil : $0 }
        )
        _ = try account.signingKey()
        return account
    }

    /// An account from its parts, e.g. as kept in a provider's settings.
    public init(clientEmail: String, privateKey: Secret, privateKeyId: String?, tokenURI: String, projectId: String?) {
        self.clientEmail = clientEmail
        self.privateKey = privateKey
        self.privateKeyId = privateKeyId
        self.tokenURI = tokenURI
        self.projectId = projectId
    }

    /// The private key, ready to sign; Google's keys are 2048-bit RSA, smaller ones are refused.
    func signingKey() throws(Problem) -> _RSA.Signing.PrivateKey {
        do { return try _RSA.Signing.PrivateKey(pemRepresentation: privateKey.value) } catch {
            throw Problem(message: "private_key is not a PEM RSA private key of at least 2048 bits")
        }
    }
}
