/// The settings a `vertex` provider keeps in ``ProviderEndpoint/options``, and the checks on
/// values that end up in its URL.
///
/// The credential itself is the endpoint's ``ProviderEndpoint/apiKey``: the service account's PEM
/// private key, or the token command's words (encoded as a JSON array) — a command line can hold
/// secrets of its own, so it is kept out of every description like a key.
public enum VertexSettings {
    /// `options` keys.
    public enum Key {
        /// The Google Cloud project id.
        public static let project = "project"
        /// The Vertex AI location (`us-central1`, `global`, …).
        public static let location = "location"
        /// ``Auth`` raw value: where access tokens come from.
        public static let auth = "auth"
        /// The service account's `client_email`.
        public static let clientEmail = "client_email"
        /// The service account's `private_key_id`, sent as the JWT's `kid`.
        public static let privateKeyId = "private_key_id"
        /// Where the service account's JWT is exchanged for a token.
        public static let tokenURI = "token_uri"
        /// How long the token command may run, in milliseconds.
        public static let tokenCommandTimeoutMs = "token_command_timeout_ms"
    }

    /// Where access tokens come from.
    public enum Auth: String, Sendable {
        /// Sign a JWT with the service account's key and exchange it at `token_uri`.
        case serviceAccount = "service_account"
        /// Run the configured command and read the token it prints.
        case tokenCommand = "token_command"
    }

    /// The location used when neither the config nor the environment names one.
    public static let defaultLocation = "us-central1"

    /// The public endpoint of `location`; the `global` location has no regional prefix.
    public static func baseURL(location: String) -> String {
        location == "global" ? "https://aiplatform.googleapis.com" : "https://\(location)-aiplatform.googleapis.com"
    }

    /// Locations become part of a host name: lower-case letters, digits and `-` only.
    public static func isValidLocation(_ location: String) -> Bool {
        !location.isEmpty && location.count <= 40
            && location.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-")
            }
    }

    /// Project ids are lower-case letters, digits and `-`; legacy domain-scoped ids add `.` and `:`.
    public static func isValidProject(_ project: String) -> Bool {
        !project.isEmpty && project.count <= 100
            && project.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
            }
    }
}
