import Logging
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Active health checks of every configured pool member, one round per call.
///
/// A member is checked with its provider's model listing, which costs no tokens and proves the
/// endpoint, the network path and the credential; one listing serves every member of that provider.
/// Members configured with `health_check: completion` (providers without a listing) get a
/// one-token completion instead. Results feed ``PoolRuntime/recordProbe(_:ok:now:)``, which flips a
/// member's health after the configured number of results in a row.
public struct HealthChecker: Sendable {
    let router: Router
    let caller: ProviderCaller
    let http: CurlLoop
    let logger: Logger

    public init(pipeline: RequestPipeline) {
        router = pipeline.router
        caller = ProviderCaller(http: pipeline.http)
        http = pipeline.http
        logger = pipeline.logger
    }

    /// The interval between rounds, or `nil` when active checks are off or there is nothing to check.
    public var interval: Duration? {
        let ms = router.settings.healthCheck.intervalMs
        return ms > 0 && !router.pools.isEmpty ? .milliseconds(ms) : nil
    }

    /// Checks every member once, concurrently, and records the results.
    public func runRound() async {
        let timeout = Duration.milliseconds(router.settings.healthCheck.timeoutMs)
        var listingProviders: [String: ProviderRegistry.Entry] = [:]
        var completions: [(pool: Router.Pool, member: Int)] = []
        for pool in router.pools {
            for (index, member) in pool.members.enumerated() {
                if member.completionProbe || member.entry.adapter.modelsRequest(timeouts: TransferTimeouts()) == nil {
                    completions.append((pool, index))
                } else {
                    listingProviders[member.entry.config.name] = member.entry
                }
            }
        }
        let listingResults = await withTaskGroup(of: (String, Bool, String).self) { group in
            for (name, entry) in listingProviders {
                group.addTask {
                    let (ok, detail) = await self.checkListing(entry, timeout: timeout)
                    return (name, ok, detail)
                }
            }
            var results: [String: (Bool, String)] = [:]
            for await (name, ok, detail) in group { results[name] = (ok, detail) }
            return results
        }
        let completionResults = await withTaskGroup(of: (String, Int, Bool, String).self) { group in
            for (pool, index) in completions {
                group.addTask {
                    let (ok, detail) = await self.checkCompletion(pool.members[index], index: index, timeout: timeout)
                    return (pool.name, index, ok, detail)
                }
            }
            var results: [String: (Bool, String)] = [:]
            for await (pool, index, ok, detail) in group { results["\(pool)#\(index)"] = (ok, detail) }
            return results
        }
        for pool in router.pools {
            for (index, member) in pool.members.enumerated() {
                let result = completionResults["\(pool.name)#\(index)"] ?? listingResults[member.entry.config.name]
                guard let (ok, detail) = result else { continue }
                if let healthy = pool.runtime.recordProbe(index, ok: ok, detail: detail, now: .now) {
                    logger.notice(
                        "pool member \(healthy ? "healthy" : "unhealthy")",
                        metadata: [
                            "pool": "\(pool.name)", "member": "\(member.label)", "check": "\(detail)",
                        ]
                    )
                }
            }
        }
    }

    private func checkListing(_ entry: ProviderRegistry.Entry, timeout: Duration) async -> (Bool, String) {
        guard entry.config.isUsable else { return (false, "no credentials") }
        guard let request = entry.adapter.modelsRequest(timeouts: TransferTimeouts(connect: timeout, total: timeout))
        else {
            return (false, "no listing endpoint")
        }
        do {
            let response = try await caller.send(request, to: entry.adapter)
            return (true, "model listing: HTTP \(response.status)")
        } catch {
            let status = error.data.upstreamStatus.map { " (HTTP \($0))" } ?? ""
            return (false, "model listing: \(error.type)\(status)")
        }
    }

    private func checkCompletion(_ member: Router.Member, index: Int, timeout: Duration) async -> (Bool, String) {
        guard member.entry.config.isUsable else { return (false, "no credentials") }
        let chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "ping")],
            model: member.model,
            maxTokens: 1,
            temperature: nil
        )
        var target = member.target(index: index, requestTimeoutMs: nil)
        target.timeouts = TransferTimeouts(connect: timeout, firstByte: timeout, idle: timeout, total: timeout)
        let call = UpstreamCall(target: target, context: RequestContext(id: .string("health-check")))
        var output = ResponseOutput(sink: DiscardingSink())
        do {
            try await call.perform(chat, http: http, output: &output)
            return (true, "completion: ok")
        } catch {
            return (false, "completion: \(call.failure(error, secrets: []).type)")
        }
    }
}
