import NeuroLinkHTTP

/// Posts the JWT-bearer grant to a token endpoint and reads the answer, through the daemon's
/// libcurl engine like every other upstream request.
struct TokenEndpointClient: Sendable {
    /// A token request is tiny; a slow token endpoint must not hold requests for a stream's minutes.
    static let timeouts = TransferTimeouts(
        connect: .seconds(10),
        firstByte: .seconds(20),
        idle: .seconds(20),
        total: .seconds(30)
    )
    /// Token responses are a few hundred bytes; anything far larger is not one.
    static let maxBodyBytes = 64 * 1024

    /// A complete response of the token endpoint.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Sends one form-encoded `POST`; the production implementation is ``curl(_:)``, tests pass their own.
    typealias Post = @Sendable (_ url: String, _ form: [UInt8]) async -> Result<Response, TokenFailure>

    /// Posts through `http`. Transport failures are retryable token failures; the message is
    /// libcurl's, which never contains the request body.
    static func curl(_ http: CurlLoop) -> Post {
        { url, form in await post(http, url: url, form: form) }
    }

    private static func post(_ http: CurlLoop, url: String, form: [UInt8]) async -> Result<Response, TokenFailure> {
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: form,
            timeouts: timeouts
        )
        do {
            let transfer = try http.start(request)
            defer { transfer.cancel() }  // No-op once finished; aborts on any early exit.
            guard case .head(let head)? = try await transfer.next() else {
                throw TokenFailure("the token endpoint sent no HTTP status", retryable: true)
            }
            var body: [UInt8] = []
            while case .body(let piece)? = try await transfer.next() {
                guard body.count + piece.count <= maxBodyBytes else {
                    throw TokenFailure(
                        "the token endpoint's response is larger than \(maxBodyBytes / 1024) KiB",
                        retryable: true
                    )
                }
                body += piece
            }
            return .success(Response(status: head.status, body: body))
        } catch let failure as TokenFailure {
            return .failure(failure)
        } catch let error as TransferError {
            return .failure(
                TokenFailure("could not reach the token endpoint (\(error))", retryable: error != .cancelled)
            )
        } catch {
            return .failure(TokenFailure("could not reach the token endpoint", retryable: true))
        }
    }
}
