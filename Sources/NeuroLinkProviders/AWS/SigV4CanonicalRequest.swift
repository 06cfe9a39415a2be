import Crypto
import NeuroLinkHTTP

/// The canonical request of AWS Signature Version 4: the parts of an HTTP request the signature
/// covers, written in one exact form so client and server hash the same text.
struct SigV4CanonicalRequest {
    var method: String
    /// The URI-encoded, normalised path (``canonicalURI(path:)``).
    var uri: String
    var query: String
    /// `name:value` lines, lower-case names, sorted.
    var headers: String
    /// Names of the signed headers, lower-case, sorted, `;`-separated.
    var signedHeaders: String
    /// Hex SHA-256 of the body.
    var payloadHash: String

    /// The text that is hashed into the string to sign.
    var text: String {
        [method, uri, query, headers, signedHeaders, payloadHash].joined(separator: "\n")
    }

    /// Builds the canonical request; `headers` must already include `host` and every `x-amz-*`
    /// header that is sent.
    init(method: String, path: String, query: String, headers: [HTTPHeader], payloadHash: String) {
        self.method = method.uppercased()
        uri = Self.canonicalURI(path: path)
        self.query = Self.canonicalQuery(query)
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(Self.canonicalValue(header.value))
        }
        let names = merged.keys.sorted()
        self.headers = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        signedHeaders = names.joined(separator: ";")
        self.payloadHash = payloadHash
    }

    /// The path as sent, with `.`/`..` and empty segments removed, each segment URI-encoded once more.
    ///
    /// For every service but S3, AWS encodes the *already encoded* path again: a model id
    /// `a.b:0` sent as `/model/a.b%3A0/…` is signed as `/model/a.b%253A0/…`.
    static func canonicalURI(path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        guard !segments.isEmpty else { return "/" }
        let encoded = "/" + segments.map { SigV4URIEncoding.encode($0) }.joined(separator: "/")
        return path.hasSuffix("/") ? encoded + "/" : encoded
    }

    /// `name=value` pairs, each part decoded and re-encoded strictly, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = SigV4URIEncoding.encode(SigV4URIEncoding.decode(parts[0]))
            let value = parts.count > 1 ? SigV4URIEncoding.encode(SigV4URIEncoding.decode(parts[1])) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&"
        )
    }

    /// Trims the value and squeezes each run of spaces inside it to one.
    static func canonicalValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

/// Hex and hashing helpers for SigV4.
enum SigV4Hash {
    static func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)))
    }

    static func hmac(key: some Sequence<UInt8>, _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key))))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = ""
        for byte in bytes {
            text.unicodeScalars.append(digits[Int(byte >> 4)])
            text.unicodeScalars.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
