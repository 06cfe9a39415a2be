import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// `providers.list` and `models.list`: what is configured, whether it answers, and what it offers.
/// Built per call from the current registry, so a reload is seen by the next call.
public struct ProviderIntrospection: Sendable {
    /// The whole-probe limit of `providers.list` with `check`: a health check must answer quickly
    /// or it is reported as failing.
    public static let checkTimeout: Duration = .seconds(5)
    /// Cap on the total time of one model listing: a listing is small, and the provider's stream
    /// total (minutes) is far too long for it.
    public static let listingTotalTimeout: Duration = .seconds(30)

    let registry: ProviderRegistry
    let caller: ProviderCaller

    public init(registry: ProviderRegistry, http: CurlLoop) {
        self.registry = registry
        self.caller = ProviderCaller(http: http, secrets: registry.secrets)
    }

    // MARK: providers.list

    /// Every configured provider, never with a credential; with `check`, each probed concurrently.
    public func providers(check: Bool) async -> ProvidersListResult {
        var infos = registry.entries.map(Self.info)
        guard check else { return ProvidersListResult(providers: infos) }
        let checks = await withTaskGroup(of: (Int, ProviderCheck).self) { group in
            for (index, entry) in registry.entries.enumerated() {
                group.addTask { (index, await self.check(entry)) }
            }
            var checks: [Int: ProviderCheck] = [:]
            for await (index, check) in group { checks[index] = check }
            return checks
        }
        for index in infos.indices { infos[index].check = checks[index] }
        return ProvidersListResult(providers: infos)
    }

    static func info(_ entry: ProviderRegistry.Entry) -> ProviderInfo {
        ProviderInfo(
            name: entry.config.name,
            type: entry.config.type.rawValue,
            host: entry.adapter.endpoint.host,
            credentialSource: entry.config.credentialSource.description,
            hasCredentials: entry.config.hasCredentials,
            defaultModel: entry.config.defaultModel,
            preset: entry.config.preset
        )
    }

    private func check(_ entry: ProviderRegistry.Entry) async -> ProviderCheck {
        // No request without the credential the provider needs: it could only fail, and slowly.
        guard entry.config.isUsable else {
            return ProviderCheck(ok: false, latencyMs: 0, error: Self.missingCredentials(entry))
        }
        let timeouts = TransferTimeouts(connect: Self.checkTimeout, total: Self.checkTimeout)
        guard let request = entry.adapter.modelsRequest(timeouts: timeouts) else {
            return ProviderCheck(ok: false, latencyMs: 0, error: Self.unsupported(entry))
        }
        let started = ContinuousClock.now
        do {
            let response = try await caller.send(request, to: entry.adapter)
            return ProviderCheck(ok: true, latencyMs: Self.ms(ContinuousClock.now - started), status: response.status)
        } catch {
            // A status only when the provider answered (with an error); none for transport failures.
            return ProviderCheck(
                ok: false,
                latencyMs: Self.ms(ContinuousClock.now - started),
                status: error.data.upstreamStatus,
                error: problem(error)
            )
        }
    }

    // MARK: models.list

    /// The models of one provider (a configured name or an alias), or of every provider.
    ///
    /// With a name, that provider's failure is thrown, mapped like a stream's. Without one, each
    /// provider is listed concurrently and a failing one is reported in `failed` so that the
    /// others' models are still returned.
    public func models(provider: String?) async throws(RPCError) -> ModelsListResult {
        if let provider {
            let entry = try registry.resolve(provider).entry
            guard let request = entry.adapter.modelsRequest(timeouts: Self.listingTimeouts(entry)) else {
                return ModelsListResult(models: [], unsupported: [entry.config.name])
            }
            return ModelsListResult(models: try await list(entry, request))
        }
        var unsupported: [String] = []
        var failed: [ProviderFailure] = []
        var jobs: [(index: Int, entry: ProviderRegistry.Entry, request: HTTPRequest)] = []
        for (index, entry) in registry.entries.enumerated() {
            if let request = entry.adapter.modelsRequest(timeouts: Self.listingTimeouts(entry)) {
                if entry.config.isUsable {
                    jobs.append((index, entry, request))
                } else {
                    failed.append(ProviderFailure(provider: entry.config.name, error: Self.missingCredentials(entry)))
                }
            } else {
                unsupported.append(entry.config.name)
            }
        }
        let outcomes = await withTaskGroup(of: (Int, Result<[ModelInfo], RPCError>).self) { group in
            for job in jobs {
                group.addTask {
                    do throws(RPCError) {
                        return (job.index, .success(try await self.list(job.entry, job.request)))
                    } catch {
                        return (job.index, .failure(error))
                    }
                }
            }
            var outcomes: [Int: Result<[ModelInfo], RPCError>] = [:]
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        var models: [ModelInfo] = []
        for job in jobs {  // Configuration order, whatever order the answers came in.
            switch outcomes[job.index] {
            case .success(let listed)?: models += listed
            case .failure(let error)?:
                failed.append(ProviderFailure(provider: job.entry.config.name, error: problem(error)))
            case nil: break
            }
        }
        let order = Dictionary(uniqueKeysWithValues: registry.entries.enumerated().map { ($1.config.name, $0) })
        failed.sort { (order[$0.provider] ?? 0) < (order[$1.provider] ?? 0) }
        return ModelsListResult(
            models: models,
            unsupported: unsupported.isEmpty ? nil : unsupported,
            failed: failed.isEmpty ? nil : failed
        )
    }

    private func list(_ entry: ProviderRegistry.Entry, _ request: HTTPRequest) async throws(RPCError) -> [ModelInfo] {
        let response = try await caller.send(request, to: entry.adapter)
        return try entry.adapter.parseModels(response.body)
    }

    // MARK: Helpers

    static func listingTimeouts(_ entry: ProviderRegistry.Entry) -> TransferTimeouts {
        var timeouts = entry.timeouts.transferTimeouts(requestTotalMs: nil)
        timeouts.total = min(timeouts.total ?? listingTotalTimeout, listingTotalTimeout)
        return timeouts
    }

    /// An error as it is shown per provider: type and a message with every credential removed.
    private func problem(_ error: RPCError) -> ProviderProblem {
        ProviderProblem(type: error.type.rawValue, message: Redaction.scrub(error.message, secrets: registry.secrets))
    }

    private static func missingCredentials(_ entry: ProviderRegistry.Entry) -> ProviderProblem {
        ProviderProblem(
            type: ErrorType.upstreamAuth.rawValue,
            message: "\(entry.config.name): no credentials (expected from \(entry.config.credentialSource))"
        )
    }

    private static func unsupported(_ entry: ProviderRegistry.Entry) -> ProviderProblem {
        ProviderProblem(
            type: ProviderProblem.unsupportedType,
            message: "\(entry.config.name): provider type \(entry.config.type.rawValue) has no model-listing endpoint"
        )
    }

    /// Milliseconds to the microsecond, for display.
    static func ms(_ duration: Duration) -> Double {
        (duration.millisecondsValue * 1000).rounded() / 1000
    }
}
