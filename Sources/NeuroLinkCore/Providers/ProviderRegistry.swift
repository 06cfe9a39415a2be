import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// The configured providers of one configuration generation, and the rule that picks one for a
/// request. A reload builds a new registry; streams in flight keep the one they started with.
public struct ProviderRegistry: Sendable {
    public struct Entry: Sendable {
        public var config: ProviderConfig
        public var adapter: any ProviderAdapter
        public var timeouts: DaemonConfig.Timeouts
    }

    public let entries: [Entry]
    public let defaults: DaemonConfig.Defaults
    private let byName: [String: Int]

    /// - Parameter http: the HTTP engine adapters use for requests of their own (Vertex's token
    ///   requests); the daemon passes its own, tests that send nothing may leave it out.
    public init(config: DaemonConfig, http: CurlLoop? = nil) {
        entries = config.providers.map {
            Entry(config: $0, adapter: $0.endpoint.makeAdapter(http: http), timeouts: $0.timeouts ?? config.timeouts)
        }
        defaults = config.defaults
        byName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.config.name, $0) })
    }

    /// The configured provider called `name`.
    public func entry(named name: String) -> Entry? {
        byName[name].map { entries[$0] }
    }

    /// The provider for a request's `provider` param (or the configured default), and why.
    ///
    /// A configured name wins; otherwise an alias (`claude`, `gemini`, `local`, ...) picks the first
    /// usable provider of that type; `auto` picks the first usable provider in configuration order
    /// (for environment-only configurations that order is ``ProviderCatalog/autoPreference``).
    public func resolve(_ requested: String?) throws(RPCError) -> (entry: Entry, route: RouteInfo) {
        let name = requested ?? defaults.provider
        if name == "auto" {
            var skipped: [RouteInfo.Skipped] = []
            for entry in entries {
                if entry.config.isUsable {
                    let reason =
                        skipped.isEmpty
                        ? "auto: first configured provider" : "auto: first configured provider with credentials"
                    return (entry, RouteInfo(requested: name, reason: reason, skipped: skipped))
                }
                skipped.append(
                    .init(provider: entry.config.name, reason: "no credentials (\(entry.config.credentialSource))")
                )
            }
            let detail =
                entries.isEmpty
                ? "no provider is configured: set OPENAI_API_KEY (or another provider's key) or NEUROLINK_OPENAI_COMPATIBLE_BASE_URL, or write a config file"
                : "no configured provider has its credentials (\(skipped.map { "\($0.provider): \($0.reason)" }.joined(separator: "; ")))"
            throw RPCError(.noProviderAvailable, detail)
        }
        if let index = byName[name] {
            let entry = entries[index]
            guard entry.config.isUsable else {
                throw RPCError(
                    .upstreamAuth,
                    "provider \"\(name)\" has no credentials (expected from \(entry.config.credentialSource))",
                    data: ErrorData(type: .upstreamAuth, retryable: false, provider: name)
                )
            }
            return (entry, RouteInfo(requested: name, reason: "configured provider named \"\(name)\""))
        }
        if let type = ProviderCatalog.aliases[name] {
            let candidates = entries.filter { $0.config.type == type }
            if let entry = candidates.first(where: \.config.isUsable) {
                return (
                    entry,
                    RouteInfo(
                        requested: name,
                        reason: "alias \"\(name)\" means type \(type.rawValue): first usable provider of that type"
                    )
                )
            }
            if !candidates.isEmpty {
                throw RPCError(
                    .upstreamAuth,
                    "alias \"\(name)\": no provider of type \(type.rawValue) has credentials",
                    data: ErrorData(type: .upstreamAuth, retryable: false)
                )
            }
        }
        let known = entries.map(\.config.name)
        throw RPCError(
            .providerNotFound,
            "no provider named \"\(name)\" (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")); aliases: \(ProviderCatalog.aliases.keys.sorted().joined(separator: ", ")))"
        )
    }

    /// What `status` shows for each provider: never a credential.
    public var statuses: [ProviderStatus] {
        entries.map {
            ProviderStatus(
                name: $0.config.name,
                type: $0.config.type.rawValue,
                host: $0.adapter.endpoint.host,
                hasCredentials: $0.config.hasCredentials,
                credentialSource: $0.config.credentialSource.description,
                defaultModel: $0.config.defaultModel
            )
        }
    }

    /// Every configured credential, so messages can be scrubbed of them.
    public var secrets: [Secret] { entries.flatMap(\.config.secrets) }
}
