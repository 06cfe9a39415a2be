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

extension HTTPFrontConnection {
    /// `POST /v1/chat/completions`: registered and run by the same runner as a `stream` or
    /// `generate` of the socket, under the key's tenant.
    func chat(_ request: HTTPRequestHead, body: ByteBuffer, tenant: String, _ outbound: Outbound) async {
        let version = request.version
        let chat: OpenAIChatRequest
        do throws(RPCError) {
            let json: JSONValue
            do { json = try JSONValue(parsing: body) } catch {
                throw RPCError(.parseError, "the body is not valid JSON: \(error)")
            }
            chat = try OpenAIChatRequest(
                body: json,
                headers: { request.headers.first(name: $0) },
                config: daemon.current.config
            )
        } catch {
            return await HTTPFrontResponse.error(outbound, version: version, error)
        }
        let id = "chatcmpl-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let context: RequestContext
        do throws(RPCError) {
            context = try daemon.runner.start(
                id: .string(id),
                method: chat.stream ? Method.stream : Method.generate,
                caller: Caller(tenant: TenantKey(tenant)),
                scope: scope,
                userId: chat.params.context?["userId"]?.stringValue
            )
        } catch {
            return await HTTPFrontResponse.error(outbound, version: version, error)
        }
        observer.watch(context)
        defer { observer.watch(nil) }
        let headers = [("x-request-id", id)]
        if chat.stream {
            let sink = OpenAIStreamSink(
                outbound: outbound,
                version: version,
                id: id,
                model: chat.model,
                includeUsage: chat.includeUsage,
                headers: headers,
                progress: context.progress
            )
            _ = await daemon.runner.run(chat.params, context: context, sink: sink)
            return
        }
        switch await daemon.runner.run(chat.params, context: context, sink: DiscardingSink()) {
        case .success(let result):
            let created = Int(Date().timeIntervalSince1970)
            let body = OpenAIResponses.completion(result, id: id, model: chat.model, created: created)
            await HTTPFrontResponse.json(
                outbound,
                version: version,
                status: .ok,
                body: body,
                headers: headers + Self.routeHeaders(result)
            )
        case .failure(let error):
            await HTTPFrontResponse.error(outbound, version: version, error, headers: headers)
        }
    }

    /// Where the answer came from: `x-neurolink-provider`, `-model`, `-cache`, `-attempts`.
    static func routeHeaders(_ result: StreamResult) -> [(String, String)] {
        var headers = [("x-neurolink-provider", result.provider), ("x-neurolink-model", result.model)]
        if let cache = result.cache { headers.append(("x-neurolink-cache", cache.status.rawValue)) }
        headers.append(("x-neurolink-attempts", "\(max(1, result.route?.attempts?.count ?? 1))"))
        return headers
    }
}
