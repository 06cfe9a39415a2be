import Logging
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProtocol
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Owns the curl loop thread: starts it, and stops it after every other service has drained.
struct HTTPEngineService: Service, CustomStringConvertible {
    var description: String { "HTTPEngine" }
    let loop: CurlLoop

    func run() async {
        loop.start()
        try? await gracefulShutdown()
        await loop.shutdown()
    }
}

/// Reloads the configuration on SIGHUP without touching connections or running streams.
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "ConfigReload" }
    let daemon: DaemonState
    let loader: ConfigLoader
    /// SIGHUP, trapped before the service group starts, so that a reload requested right after
    /// `READY=1` is never missed.
    let hangups: UnixSignalsSequence

    func run() async {
        for await _ in hangups.cancelOnGracefulShutdown() {
            guard !daemon.isDraining else {
                // systemd must not see READY=1 after STOPPING=1, and the new configuration would
                // never serve a request anyway.
                daemon.logger.notice("ignoring SIGHUP: shutting down")
                continue
            }
            daemon.supervision.reloading()
            await reload()
            daemon.supervision.reloaded(daemon.statusLine)
        }
    }

    func reload() async {
        let logger = daemon.logger
        let old = daemon.current.config
        do {
            let config = try loader.load(path: daemon.configPath)
            if config.logging != old.logging {
                logger.warning("logging settings changed; they take effect after a restart")
            }
            // The store's settings need a restart; `stream_interval_ms` applies to new requests.
            var store = config.analytics
            store.streamIntervalMs = old.analytics.streamIntervalMs
            if store != old.analytics {
                logger.warning("analytics settings changed; they take effect after a restart")
            }
            let (cache, oldCache) = (config.cache, old.cache)
            let (semantic, oldSemantic) = (cache.semantic, oldCache.semantic)
            if (cache.enabled, cache.path, cache.maxSizeMB, cache.maxDiskMB)
                != (oldCache.enabled, oldCache.path, oldCache.maxSizeMB, oldCache.maxDiskMB)
                || (
                    semantic.enabled, semantic.embedding, semantic.modelDirectory, semantic.queueSize,
                    semantic.maxEntriesPerScope
                )
                    != (
                        oldSemantic.enabled, oldSemantic.embedding, oldSemantic.modelDirectory, oldSemantic.queueSize,
                        oldSemantic.maxEntriesPerScope
                    )
            {
                logger.warning(
                    "cache settings changed that take effect after a restart: enabled, path, max_size_mb, max_disk_mb, semantic.enabled, semantic.embedding, semantic.model_dir, semantic.queue_size, semantic.max_entries_per_scope"
                )
            }
            if config.tools.mcpServers != old.tools.mcpServers {
                logger.warning("tools.mcp_servers changed; it takes effect after a restart")
            }
            let (memory, oldMemory) = (config.memory, old.memory)
            if (memory.enabled, memory.path) != (oldMemory.enabled, oldMemory.path)
                || (memory.maxMessagesPerSession, memory.maxSessionBytes, memory.maxSessionsPerTenant)
                    != (oldMemory.maxMessagesPerSession, oldMemory.maxSessionBytes, oldMemory.maxSessionsPerTenant)
            {
                logger.warning(
                    "memory settings changed that take effect after a restart: enabled, path, max_messages_per_session, max_session_bytes, max_sessions_per_tenant"
                )
            }
            if config.server != old.server {
                logger.warning(
                    "server settings changed; they take effect after a restart",
                    metadata: ["config": "\(config.sourcePath ?? "environment")"]
                )
            }
            await daemon.install(config)
            daemon.security.adminAction("config_reload", caller: nil, detail: "accepted")
            daemon.lastReload = ReloadStatus(
                at: Date().timeIntervalSince1970,
                ok: true,
                message: "\(config.providers.count) providers"
            )
            logger.notice(
                "configuration reloaded",
                metadata: ["providers": "\(config.providers.map(\.name).joined(separator: ","))"]
            )
        } catch {
            daemon.lastReload = ReloadStatus(at: Date().timeIntervalSince1970, ok: false, message: error.description)
            daemon.security.adminAction("config_reload", caller: nil, detail: "rejected")
            logger.error(
                "configuration reload rejected; keeping the previous configuration",
                metadata: ["error": "\(error)"]
            )
        }
    }
}

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// A service named by its own `description`. `init(service:)` finds the name with dynamic
    /// casts to the printing protocols, each a scan of every conformance record in the binary the
    /// first time a type is asked about: about 1 ms of every start for the daemon's services.
    static func named<S: Service & CustomStringConvertible>(
        _ service: S,
        successTerminationBehavior: TerminationBehavior = .cancelGroup
    ) -> Self {
        .init(
            service: service,
            successTerminationBehavior: successTerminationBehavior,
            serviceName: service.description
        )
    }
}
