import NIOCore
import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One call to a provider's API, described without the provider's particulars: model listings
/// today, embeddings and judge completions next, and each adapter's own chat stream.
///
/// An adapter's ``ProviderAdapter/callRequest(_:timeouts:)`` turns it into an ``HTTPRequest`` with
/// that provider's API root, credentials, configured headers, API version and signing.
public struct ProviderCall: Sendable, Hashable {
    /// One query parameter; name and value are percent-encoded when the URL is built.
    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The media type of JSON requests and answers.
    public static let json = "application/json"

    public var method: String
    /// The path below the adapter's API root, starting with `/` (`/models`, `/embeddings`,
    /// `/api/embed`). It is sent as given: a part that comes from a request, such as a model name,
    /// must be encoded with ``ModelPathSegment`` first.
    public var path: String
    /// Query parameters, after those the adapter adds itself (Azure's `api-version`).
    public var query: [QueryItem]
    /// Headers of this call only (e.g. SageMaker's routing headers); the adapter adds its credentials
    /// and the endpoint's configured headers.
    public var headers: [HTTPHeader]
    /// The request body, JSON; `nil` for none. `content-type: application/json` is sent with it.
    public var body: [UInt8]?
    /// What the call asks for (`accept`): JSON, except for the adapters' own streams.
    public var accept: String

    public init(
        method: String,
        path: String,
        query: [QueryItem] = [],
        headers: [HTTPHeader] = [],
        body: [UInt8]? = nil,
        accept: String = ProviderCall.json
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.accept = accept
    }

    /// A `GET` without a body.
    public static func get(_ path: String, query: [QueryItem] = []) -> ProviderCall {
        ProviderCall(method: "GET", path: path, query: query)
    }

    /// A `POST` of the JSON `body` writes of itself.
    ///
    /// - Throws: the ``RPCError`` building `body` throws (a request it cannot express).
    static func post(
        _ path: String,
        body: some JSONBodyWriting,
        query: [QueryItem] = [],
        headers: [HTTPHeader] = [],
        accept: String = ProviderCall.json,
        provider: String
    ) -> ProviderCall {
        var buffer = ByteBuffer()
        body.writeJSON(into: &buffer)
        return ProviderCall(
            method: "POST",
            path: path,
            query: query,
            headers: headers,
            body: Array(buffer.readableBytesView),
            accept: accept
        )
    }

    /// A `POST` of `body` encoded as JSON.
    ///
    /// - Throws: the ``RPCError`` building `body` throws (a request it cannot express); `internal`
    ///   for any other failure to build or encode it (a non-finite number, say).
    public static func post<Body: Encodable>(
        _ path: String,
        json body: @autoclosure () throws -> Body,
        query: [QueryItem] = [],
        headers: [HTTPHeader] = [],
        accept: String = ProviderCall.json,
        provider: String
    ) throws(RPCError) -> ProviderCall {
        let encoded: Data
        do {
            encoded = try JSONEncoder().encode(body())
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "could not encode the request for \(provider)")
        }
        return ProviderCall(
            method: "POST",
            path: path,
            query: query,
            headers: headers,
            body: Array(encoded),
            accept: accept
        )
    }

    /// The URL below `root`; `leading` are the adapter's own query parameters, sent first.
    public func url(root: String, leading: [QueryItem] = []) -> String {
        let items = leading + query
        guard !items.isEmpty else { return root + path }
        let encoded = items.map { "\(SigV4URIEncoding.encode($0.name))=\(SigV4URIEncoding.encode($0.value))" }
        return root + path + "?" + encoded.joined(separator: "&")
    }

    /// `content-type` (with a body), `accept`, then the call's own headers: what every adapter sends
    /// before its credentials and configured headers.
    public var baseHeaders: [HTTPHeader] {
        var result: [HTTPHeader] = []
        if body != nil { result.append(HTTPHeader("content-type", Self.json)) }
        result.append(HTTPHeader("accept", accept))
        return result + headers
    }
}

extension HTTPRequest {
    /// `call` as a request to `url` with `headers` (the call's, the adapter's and the configured ones).
    init(_ call: ProviderCall, url: String, headers: [HTTPHeader], timeouts: TransferTimeouts) {
        self.init(method: call.method, url: url, headers: headers, body: call.body, timeouts: timeouts)
    }
}
