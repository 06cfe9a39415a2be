import Logging
import MCP
import NeuroLinkProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the configured MCP servers as tool sources: starts them, keeps them alive, lists their
/// tools and calls them. A failing server is never fatal: it is retried with backoff and reported
/// in ``states``.
public final class MCPManager: Sendable {
    private let registry: ServerRegistry
    private let supervisors: [ServerSupervisor]
    private let logger: Logger
    private let running = Mutex(false)

    /// Creates a manager for `servers`; nothing starts before ``run()``.
    ///
    /// Servers with an invalid or duplicate name are reported as failed and never started.
    /// - Parameter backoff: the first delay before a restart, doubled after every failure up to
    ///   `max`, and started over once a server stayed ready for a minute.
    public convenience init(
        servers: [MCPServerSettings],
        backoff: (initial: Duration, max: Duration) = (.milliseconds(500), .seconds(30)),
        logger: Logger
    ) {
        self.init(servers: servers, backoff: backoff, timing: .standard, logger: logger)
    }

    init(
        servers: [MCPServerSettings],
        backoff: (initial: Duration, max: Duration),
        timing: SupervisionTiming,
        logger: Logger
    ) {
        let records = Self.records(for: servers)
        let registry = ServerRegistry(records)
        self.registry = registry
        supervisors = records.indices.compactMap { index -> ServerSupervisor? in
            guard records[index].phase == .stopped else { return nil }
            var serverLogger = logger
            serverLogger[metadataKey: "mcp_server"] = "\(records[index].settings.name)"
            return ServerSupervisor(
                index: index,
                settings: records[index].settings,
                registry: registry,
                timing: timing,
                backoff: Backoff(initial: backoff.initial, maximum: backoff.max),
                logger: serverLogger
            )
        }
        self.logger = logger
    }

    /// Starts every server concurrently and keeps them running until the calling task is
    /// cancelled; then stops them all (child processes get `SIGTERM`, then `SIGKILL` after two
    /// seconds) and returns once they are gone. A second concurrent call returns at once.
    ///
    /// Sets `SIGPIPE` to be ignored for the whole process: writing to a server that just exited
    /// must fail with `EPIPE` rather than kill the daemon.
    public func run() async {
        let alreadyRunning = running.withLock { running in
            defer { running = true }
            return running
        }
        guard !alreadyRunning else {
            logger.error("MCPManager.run() called while already running")
            return
        }
        defer { running.withLock { $0 = false } }
        signal(SIGPIPE, SIG_IGN)
        await withDiscardingTaskGroup { group in
            for supervisor in supervisors {
                group.addTask { await supervisor.run() }
            }
        }
    }

    /// The tools of the ready servers, sorted by namespaced name.
    public var tools: [MCPToolDescription] {
        registry.tools
    }

    /// The state of every configured server, in configuration order.
    public var states: [MCPServerStatus] {
        registry.states
    }

    /// Calls the tool `namespacedName` with the JSON object `argumentsJSON`, waiting at most
    /// `timeout`. Returns the text of the result's content items joined with newlines (non-text
    /// items are described, as `[image/png, 1234 bytes]`).
    ///
    /// - Throws: ``MCPCallError/unknownTool`` when no server offers the tool;
    ///   ``MCPCallError/serverUnavailable(_:)`` when its server is not ready or its connection fails
    ///   during the call; ``MCPCallError/timeout`` (the server is asked to cancel);
    ///   ``MCPCallError/toolError(_:)`` when the result has `isError`; ``MCPCallError/protocolError(_:)``
    ///   for arguments that are not a JSON object and for JSON-RPC errors;
    ///   ``MCPCallError/cancelled`` when the calling task is cancelled.
    public func call(
        _ namespacedName: String,
        argumentsJSON: String,
        timeout: Duration
    ) async throws(MCPCallError) -> String {
        let target = try registry.target(for: namespacedName)
        let arguments = try JSONText.arguments(argumentsJSON)
        return try await ToolCall(target: target, arguments: arguments, timeout: timeout).perform()
    }

    /// Waits until every server is ready or has failed at least once, or `timeout` elapsed;
    /// returns whether that happened in time. Meant for startup and tests, while ``run()`` runs.
    public func waitUntilReady(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !registry.allSettled {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    private static func records(for servers: [MCPServerSettings]) -> [ServerRecord] {
        var seen = Set<String>()
        return servers.map { settings in
            var record = ServerRecord(settings: settings, phase: .stopped)
            if !MCPServerSettings.isValidName(settings.name) {
                record.phase = .failed
                record.lastError = "invalid server name (1-32 of A-Z a-z 0-9 _ -)"
            } else if !seen.insert(settings.name).inserted {
                record.phase = .failed
                record.lastError = "duplicate server name"
            }
            record.settled = record.phase == .failed
            return record
        }
    }
}
