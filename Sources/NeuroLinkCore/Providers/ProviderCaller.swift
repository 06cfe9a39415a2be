import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// Runs non-streamed provider calls — one JSON request, one JSON response — on the shared curl
/// loop: model listings and the `providers.list` health probe today, embeddings and judge calls next.
///
/// Each call goes the way a stream's does: the adapter builds the request (``ProviderAdapter/callRequest(_:timeouts:)``)
/// and fetches tokens (``ProviderAdapter/authorize(_:)``); a non-2xx answer is the adapter's own
/// error (``ProviderAdapter/error(status:headers:body:)``, retry hints included); transport
/// failures map through `TransferFailure`. Unlike `UpstreamCall` it buffers the whole body, so
/// the body is capped. Every error's message is scrubbed of the provider's credentials.
public struct ProviderCaller: Sendable {
    /// The largest 2xx body read by default; a model list is a few hundred KiB at most, so more is a runaway.
    public static let maxBodyBytes = 4 * 1024 * 1024
    /// The largest error body read (as for streams): enough for any provider's error message.
    public static let maxErrorBodyBytes = 64 * 1024

    let http: CurlLoop
    /// Removed from error messages besides the adapter's own credentials (all the registry's).
    let secrets: [Secret]

    public init(http: CurlLoop, secrets: [Secret] = []) {
        self.http = http
        self.secrets = secrets
    }

    /// Sends `call` to `adapter`'s API and reads the whole 2xx answer.
    ///
    /// - Parameter maxBodyBytes: the largest answer accepted; a longer one is `upstream_bad_response`.
    /// - Throws: the adapter's error for a non-2xx status (with `upstreamStatus`), `timeout`,
    ///   `upstream_error`, `upstream_bad_response`, `cancelled` or `shutting_down`, as a stream would.
    ///   Cancelling the calling task aborts the transfer at once.
    public func call(
        _ call: ProviderCall,
        on adapter: any ProviderAdapter,
        timeouts: TransferTimeouts,
        maxBodyBytes: Int = ProviderCaller.maxBodyBytes
    ) async throws(RPCError) -> ProviderResponse {
        let request: HTTPRequest
        do throws(RPCError) {
            request = try adapter.callRequest(call, timeouts: timeouts)
        } catch {
            throw scrubbed(error, adapter)
        }
        return try await send(request, to: adapter, maxBodyBytes: maxBodyBytes)
    }

    /// Sends a request `adapter` built (its model listing) like ``call(_:on:timeouts:maxBodyBytes:)``.
    public func send(
        _ request: HTTPRequest,
        to adapter: any ProviderAdapter,
        maxBodyBytes: Int = ProviderCaller.maxBodyBytes
    ) async throws(RPCError) -> ProviderResponse {
        do throws(RPCError) {
            var request = request
            try await adapter.authorize(&request)
            let response = try await exchange(request, provider: adapter.endpoint.name, maxBodyBytes: maxBodyBytes)
            guard response.isSuccess else {
                var error = adapter.error(status: response.status, headers: response.headers, body: response.body)
                if error.data.upstreamStatus == nil { error.data.upstreamStatus = response.status }
                throw error
            }
            return response
        } catch {
            throw scrubbed(error, adapter)
        }
    }

    /// The error with every credential removed from its message and the provider named.
    private func scrubbed(_ error: RPCError, _ adapter: any ProviderAdapter) -> RPCError {
        let endpoint = adapter.endpoint
        let own = [endpoint.apiKey, endpoint.awsCredentials?.secretAccessKey, endpoint.awsCredentials?.sessionToken]
        var scrubbed = error
        scrubbed.message = Redaction.scrub(error.message, secrets: secrets + own.compactMap { $0 })
        if scrubbed.data.provider == nil, scrubbed.type != .cancelled { scrubbed.data.provider = endpoint.name }
        return scrubbed
    }

    /// Sends `request` and reads the whole response, whatever its status. Transport failures become
    /// the protocol errors a stream would report.
    private func exchange(
        _ request: HTTPRequest,
        provider: String,
        maxBodyBytes: Int
    ) async throws(RPCError) -> ProviderResponse {
        do {
            return try await read(request, provider: provider, maxBodyBytes: maxBodyBytes)
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

    private func read(_ request: HTTPRequest, provider: String, maxBodyBytes: Int) async throws -> ProviderResponse {
        let transfer = try http.start(request)
        defer { transfer.cancel() }  // No-op when finished; aborts the upstream on any early exit.
        guard case .head(let head)? = try await transfer.next() else {
            throw RPCError(
                .upstreamBadResponse,
                "\(provider): the response ended without an HTTP status",
                data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
            )
        }
        var response = ProviderResponse(provider: provider, status: head.status, headers: head.headers, body: [])
        let limit = response.isSuccess ? maxBodyBytes : Self.maxErrorBodyBytes
        while case .body(let piece)? = try await transfer.next() {
            guard response.body.count + piece.count <= limit else {
                // An error body is only read for its message: its start is enough.
                guard response.isSuccess else {
                    response.body += piece.prefix(limit - response.body.count)
                    break
                }
                throw RPCError(
                    .upstreamBadResponse,
                    "\(provider): the response exceeded \(Self.size(limit))",
                    data: ErrorData(type: .upstreamBadResponse, retryable: false, provider: provider)
                )
            }
            response.body += piece
        }
        return response
    }

    /// `bytes` as people write it: `4 MiB`, `64 KiB`, `1000 bytes`.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
