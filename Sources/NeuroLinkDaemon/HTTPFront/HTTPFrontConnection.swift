import NIOCore
import NIOHTTP1
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP connection of the front: reads requests one after the other (keep-alive), bodies up
/// to `http.max_body_bytes`, and answers each.
struct HTTPFrontConnection {
    let front: HTTPFrontService
    let observer: CloseObserver
    let peerIsLoopback: Bool
    let scope: RequestScope
    var daemon: DaemonState { front.daemon }
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    func serve(_ connection: HTTPFrontService.Connection) async {
        defer { daemon.requests.connectionClosed(scope) }
        try? await connection.executeThenClose { inbound, outbound in
            try await answer(inbound, outbound)
            await finishSending(connection.channel, outbound)
        }
    }

    /// Sends the rest of the last answer before `executeThenClose` closes (a client slow to read the end of a
    /// `Connection: close` answer lost it): what has not left `http.idle_timeout_ms` after the answer ended is
    /// dropped then.
    private func finishSending(_ channel: any Channel, _ outbound: Outbound) async {
        outbound.finish()
        observer.finishing()
        await channel.sendQueuedThenShutOutput(within: .milliseconds(Int64(front.settings.idleTimeoutMs)))
    }

    /// Answers the connection's requests in turn until it is to close: the client ended it, a
    /// request asked to (`Connection: close`, HTTP/1.0), or a body was too large.
    private func answer(
        _ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>,
        _ outbound: Outbound
    )
        async throws
    {
        var head: HTTPRequestHead?
        var body = ByteBuffer()
        var tooLarge = false
        for try await part in inbound {
            switch part {
            case .head(let request):
                (head, tooLarge) = (request, false)
                body.clear()
            case .body(var piece):
                if body.readableBytes + piece.readableBytes > front.settings.maxBodyBytes {
                    tooLarge = true
                } else {
                    body.writeBuffer(&piece)
                }
            case .end:
                guard let request = head else { continue }
                head = nil
                if tooLarge {
                    let message = "the body is larger than http.max_body_bytes (\(front.settings.maxBodyBytes))"
                    let error = OpenAIResponses.body(
                        message: message,
                        type: "invalid_request_error",
                        code: "body_too_large"
                    )
                    await HTTPFrontResponse.json(
                        outbound,
                        version: request.version,
                        status: .payloadTooLarge,
                        body: error,
                        headers: [("Connection", "close")]
                    )
                    return
                }
                await respond(to: request, body: body, outbound)
                guard request.isKeepAlive else { return }
            }
        }
    }

    private func respond(to request: HTTPRequestHead, body: ByteBuffer, _ outbound: Outbound) async {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let version = request.version
        switch (request.method, path) {
        case (.GET, "/healthz"):
            await HTTPFrontResponse.send(
                outbound,
                version: version,
                status: .ok,
                contentType: "text/plain",
                body: ByteBuffer(string: "ok\n")
            )
        case (.GET, "/readyz"):
            let ready = daemon.health == "ok" && daemon.current.config.providers.contains { $0.isUsable }
            let text =
                ready ? "ready\n" : "not ready: \(daemon.health == "ok" ? "no provider has credentials" : "draining")\n"
            await HTTPFrontResponse.send(
                outbound,
                version: version,
                status: ready ? .ok : .serviceUnavailable,
                contentType: "text/plain",
                body: ByteBuffer(string: text)
            )
        case (.GET, "/metrics"):
            let text = await daemon.metricsText()
            await HTTPFrontResponse.send(
                outbound,
                version: version,
                status: .ok,
                contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: ByteBuffer(string: text)
            )
        case (.GET, "/v1/models"):
            guard authenticate(request, outbound) != nil else { return await refuse(request, outbound) }
            await HTTPFrontResponse.json(
                outbound,
                version: version,
                status: .ok,
                body: OpenAIResponses.models(modelIds())
            )
        case (.POST, "/v1/embeddings"):
            guard let tenant = authenticate(request, outbound) else { return await refuse(request, outbound) }
            await embeddings(request, body: body, tenant: tenant, outbound)
        case (.POST, "/v1/chat/completions"):
            guard let tenant = authenticate(request, outbound) else { return await refuse(request, outbound) }
            await chat(request, body: body, tenant: tenant, outbound)
        case (_, "/healthz"), (_, "/readyz"), (_, "/metrics"), (_, "/v1/models"), (_, "/v1/chat/completions"),
            (_, "/v1/embeddings"):
            let error = OpenAIResponses.body(
                message: "method \(request.method) is not allowed on \(path)",
                type: "invalid_request_error",
                code: "method_not_allowed"
            )
            await HTTPFrontResponse.json(outbound, version: version, status: .methodNotAllowed, body: error)
        default:
            let error = OpenAIResponses.body(
                message: "no endpoint \(path)",
                type: "invalid_request_error",
                code: "not_found"
            )
            await HTTPFrontResponse.json(outbound, version: version, status: .notFound, body: error)
        }
    }

    /// The tenant of the request's key (`Authorization: Bearer`, `x-api-key`), or of an anonymous
    /// loopback caller when allowed; `nil` when it has none.
    private func authenticate(_ request: HTTPRequestHead, _ outbound: Outbound) -> String? {
        let bearer = request.headers.first(name: "authorization").flatMap(Self.bearerToken)
        if let presented = bearer ?? request.headers.first(name: "x-api-key") {
            return front.settings.key(matching: presented)?.tenant
        }
        return peerIsLoopback ? front.settings.anonymousLoopbackTenant : nil
    }

    /// The token of an `Authorization: Bearer TOKEN` value (the scheme in any case, blanks around
    /// the token ignored). Byte-wise: no lowercased copy of the secret, no Foundation character sets
    /// (which cost more than the key's hash on every request).
    static func bearerToken(_ value: String) -> String? {
        let scheme = "bearer ".utf8
        let utf8 = value.utf8
        let lowercased = { (byte: UInt8) in (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        guard utf8.count > scheme.count, zip(utf8, scheme).allSatisfy({ lowercased($0) == $1 }) else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let token = utf8.dropFirst(scheme.count).drop(while: isBlank)
        let end = token.lastIndex { !isBlank($0) }.map { utf8.index(after: $0) } ?? token.startIndex
        return String(value[token.startIndex..<end])
    }

    private func refuse(_ request: HTTPRequestHead, _ outbound: Outbound) async {
        let error = OpenAIResponses.body(
            message: "a valid API key is required (Authorization: Bearer KEY)",
            type: "invalid_request_error",
            code: "invalid_api_key"
        )
        await HTTPFrontResponse.json(outbound, version: request.version, status: .unauthorized, body: error)
    }

    /// Every provider as `provider/default_model`, every pool, and `auto`.
    private func modelIds() -> [(id: String, owner: String)] {
        let config = daemon.current.config
        let providers = config.providers.compactMap { provider in
            provider.defaultModel.map { (id: "\(provider.name)/\($0)", owner: provider.name) }
        }
        return [(id: "auto", owner: "neurolink")] + providers + config.pools.map { (id: $0.name, owner: "neurolink") }
    }
}
