import Logging
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkEmbedding
import ServiceLifecycle

/// Writes the response cache's new answers to its database in the background. Like the
/// analytics writer it starts before the RPC server, so it stops after the drain and writes
/// what the last requests stored.
struct CacheService: Service, CustomStringConvertible {
    var description: String { "ResponseCache" }
    let cache: ResponseCache

    /// The cache `config.cache` describes, or `nil` when it is disabled.
    static func open(_ config: DaemonConfig, loader: ConfigLoader, logger: Logger) -> ResponseCache? {
        guard config.cache.enabled else { return nil }
        let path = config.cache.path ?? loader.defaultCachePath()
        var embedder: Embedder?
        var failure: String?
        let semantic = config.cache.semantic
        if semantic.enabled {
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
        }
        return ResponseCache(
            settings: config.cache,
            path: path,
            embedder: embedder,
            semanticError: failure,
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
