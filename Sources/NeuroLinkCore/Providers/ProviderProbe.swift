import NeuroLinkHTTP
import NeuroLinkProtocol

/// Runs one small, non-streamed upstream request to completion: model listings and the
/// `providers.list` health probe. Unlike ``UpstreamCall`` it buffers the whole body, so the body is capped.
public struct ProviderProbe: Sendable {
    /// The largest 2xx body read; a model list is a few hundred KiB at most, so more is a runaway.
    public static let maxBodyBytes = 4 * 1024 * 1024
    /// The largest error body read (as for streams): enough for any provider's error message.
    public static let maxErrorBodyBytes = 64 * 1024

    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [HTTPHeader]
        public var body: [UInt8]

        public var isSuccess: Bool { (200..<300).contains(status) }
    }

    let http: CurlLoop

    public init(http: CurlLoop) {
        self.http = http
    }

    /// Sends `request` and reads the whole response. Transport failures become the protocol
    /// errors a stream would report (`timeout`, `upstream_error`, `cancelled`, `shutting_down`).
    ///
    /// Cancelling the calling task aborts the transfer at once.
    public func run(_ request: HTTPRequest, provider: String) async throws(RPCError) -> Response {
        do {
            return try await perform(request, provider: provider)
        } catch let error as RPCError {
            throw error
        } catch let error as TransferError {
            throw TransferFailure.map(
                error,
                timeouts: request.timeouts,
                provider: provider,
                cancelReason: nil,
                midStream: false
            )
        } catch {
            throw RPCError(.internal, "\(provider): \(error)")
        }
    }

    private func perform(_ request: HTTPRequest, provider: String) async throws -> Response {
        let transfer = try http.start(request)
        defer { transfer.cancel() }  // No-op when finished; aborts the upstream on any early exit.
        guard case .head(let head)? = try await transfer.next() else {
            throw RPCError(
                .upstreamBadResponse,
                "\(provider): the response ended without an HTTP status",
                data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
            )
        }
        var response = Response(status: head.status, headers: head.headers, body: [])
        let limit = response.isSuccess ? Self.maxBodyBytes : Self.maxErrorBodyBytes
        while case .body(let piece)? = try await transfer.next() {
            guard response.body.count + piece.count <= limit else {
                // An error body is only read for its message: its start is enough.
                guard response.isSuccess else { break }
                throw RPCError(
                    .upstreamBadResponse,
                    "\(provider): the response exceeded \(limit / (1024 * 1024)) MiB",
                    data: ErrorData(type: .upstreamBadResponse, retryable: false, provider: provider)
                )
            }
            response.body += piece
        }
        return response
    }
}
