import Logging
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkEmbedding
import NeuroLinkHTTP
import ServiceLifecycle

/// Writes the response cache's new answers to its database in the background. Like the
/// analytics writer it starts before the RPC server, so it stops after the drain and writes
/// what the last requests stored.
struct CacheService: Service, CustomStringConvertible {
    var description: String { "ResponseCache" }
    let cache: ResponseCache

    /// The cache `config.cache` describes, or `nil` when it is disabled.
    static func open(_ config: DaemonConfig, loader: ConfigLoader, http: CurlLoop, logger: Logger) -> ResponseCache? {
        guard config.cache.enabled else { return nil }
        let path = config.cache.path ?? loader.defaultCachePath()
        var embedder: (any TextEmbedder)?
        var failure: String?
        let semantic = config.cache.semantic
        if semantic.enabled {
            switch semantic.embedding {
            case .local:
                let directory = semantic.modelDirectory ?? loader.defaultModelDirectory()
                do {
                    embedder = try Embedder(directory: directory, capacity: semantic.queueSize)
                } catch {
                    failure = "\(error)"
                    logger.error(
                        "the semantic cache is off: the embedding model cannot be loaded (scripts/embedding-model.sh installs it)",
                        metadata: ["error": "\(error)"]
                    )
                }
            case .provider(let name, let model):
                embedder = providerEmbedder(name, model: model, config: config, http: http, logger: logger)
            }
        }
        return ResponseCache(
            settings: config.cache,
            path: path,
            embedder: embedder,
            semanticError: failure,
            logger: logger
        )
    }

    /// The configured provider's embedding endpoint (the loader checked that it exists and has one).
    private static func providerEmbedder(
        _ name: String,
        model: String,
        config: DaemonConfig,
        http: CurlLoop,
        logger: Logger
    ) -> ProviderEmbedder? {
        let registry = ProviderRegistry(config: config, http: http)
        guard let entry = registry.entry(named: name) else { return nil }
        return ProviderEmbedder(
            adapter: entry.adapter,
            model: model,
            caller: ProviderCaller(http: http, secrets: registry.secrets),
            capacity: config.cache.semantic.queueSize,
            logger: logger
        )
    }

    func run() async {
        await withGracefulShutdownHandler {
            await cache.run()
        } onGracefulShutdown: {
            cache.finish()
        }
        cache.embedder?.stop()
    }
}
