import Foundation
import NeuroLinkHTTP

/// Signs HTTP requests with AWS Signature Version 4 (header form, `AWS4-HMAC-SHA256`).
///
/// Every header passed in is signed, plus `host` (derived from the URL when not passed) and the
/// `x-amz-*` headers the signer adds itself. The signer never sends `host`: the HTTP engine
/// writes it from the URL, and it is identical to the one signed here.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// The signing name of the service, e.g. `bedrock`.
    public var service: String
    /// Whether to add and sign `X-Amz-Content-Sha256` (S3 requires it; Bedrock does not).
    public var includesContentHash: Bool
    /// The time a signature is made at; injectable so tests get fixed signatures.
    public var clock: @Sendable () -> Date

    public init(
        credentials: AWSCredentials,
        region: String,
        service: String,
        includesContentHash: Bool = false,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.includesContentHash = includesContentHash
        self.clock = clock
    }

    /// Why a request could not be signed.
    public enum SigningError: Error, Sendable, Hashable {
        /// The URL has no `scheme://host` part.
        case invalidURL
    }

    /// The headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials), `X-Amz-Content-Sha256` (when enabled), and `Authorization`.
    public func headers(
        method: String,
        url: String,
        headers: [HTTPHeader],
        body: [UInt8]
    ) throws(SigningError) -> [HTTPHeader] {
        guard let parts = URLParts(url) else { throw SigningError.invalidURL }
        let date = SigV4Date(clock())
        let payloadHash = SigV4Hash.sha256Hex(body)
        var added = [HTTPHeader("X-Amz-Date", date.amzDate)]
        if let token = credentials.sessionToken { added.append(HTTPHeader("X-Amz-Security-Token", token.value)) }
        if includesContentHash { added.append(HTTPHeader("X-Amz-Content-Sha256", payloadHash)) }
        var signed = headers + added
        if headers.first(named: "host") == nil { signed.append(HTTPHeader("host", parts.hostHeader)) }
        let canonical = SigV4CanonicalRequest(
            method: method,
            path: parts.path,
            query: parts.query,
            headers: signed,
            payloadHash: payloadHash
        )
        return added + [HTTPHeader("Authorization", authorization(canonical, date: date))]
    }

    /// Signs `request` in place, adding the headers of ``headers(method:url:headers:body:)``.
    public func sign(_ request: inout HTTPRequest) throws(SigningError) {
        request.headers += try headers(
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body ?? []
        )
    }

    /// `credential/date/region/service/aws4_request` minus the key id: the scope a key is derived for.
    func scope(_ date: SigV4Date) -> String {
        "\(date.dateStamp)/\(region)/\(service)/aws4_request"
    }

    func stringToSign(_ canonical: SigV4CanonicalRequest, date: SigV4Date) -> String {
        ["AWS4-HMAC-SHA256", date.amzDate, scope(date), SigV4Hash.sha256Hex(Array(canonical.text.utf8))].joined(
            separator: "\n"
        )
    }

    /// HMAC chain from the secret over date, region, service and the terminator.
    func signingKey(_ date: SigV4Date) -> [UInt8] {
        let dateKey = SigV4Hash.hmac(key: Array("AWS4\(credentials.secretAccessKey.value)".utf8), date.dateStamp)
        let regionKey = SigV4Hash.hmac(key: dateKey, region)
        let serviceKey = SigV4Hash.hmac(key: regionKey, service)
        return SigV4Hash.hmac(key: serviceKey, "aws4_request")
    }

    func authorization(_ canonical: SigV4CanonicalRequest, date: SigV4Date) -> String {
        let signature = SigV4Hash.hex(SigV4Hash.hmac(key: signingKey(date), stringToSign(canonical, date: date)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(date)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }
}

/// The pieces of an absolute URL that SigV4 reads, taken verbatim (no re-encoding).
struct URLParts: Equatable {
    /// `host[:port]`, with the port left out when it is the scheme's default, as `Host` is sent.
    var hostHeader: String
    /// The path exactly as it appears in the URL (`/` when empty).
    var path: String
    var query: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
        if let defaultPort, authority.hasSuffix(defaultPort) { authority = authority.dropLast(defaultPort.count) }
        hostHeader = authority.lowercased()
        let pathAndQuery = rest[authorityEnd...]
        if let question = pathAndQuery.firstIndex(of: "?") {
            path = String(pathAndQuery[..<question])
            query = String(pathAndQuery[pathAndQuery.index(after: question)...])
        } else {
            path = String(pathAndQuery)
            query = ""
        }
        if path.isEmpty { path = "/" }
    }
}
