import Logging
import MCP

/// Keeps one server connected: connects, lists its tools, serves until the connection is lost,
/// and starts it again after an exponential backoff, until cancelled.
struct ServerSupervisor: Sendable {
    let index: Int
    let settings: MCPServerSettings
    let registry: ServerRegistry
    let timing: SupervisionTiming
    let backoff: Backoff
    let logger: Logger

    /// How one connection ended.
    private struct Outcome {
        let reason: String
        /// How long it had been ready; nil when it never was.
        let readyFor: Duration?
    }

    func run() async {
        var backoff = self.backoff
        var attempt = 0
        while !Task.isCancelled {
            registry.update(index) { record in
                record.phase = attempt == 0 ? .starting : .restarting
                if attempt > 0 { record.restarts += 1 }
            }
            let outcome = await connectAndServe()
            if Task.isCancelled { break }
            if let readyFor = outcome.readyFor, readyFor >= timing.stable { backoff.reset() }
            let delay = backoff.take()
            logger.warning("MCP server unavailable, retrying in \(delay)", metadata: ["reason": "\(outcome.reason)"])
            try? await Task.sleep(for: delay)
            attempt += 1
        }
        registry.update(index) { record in
            record.phase = .stopped
            record.tools = []
            record.connection = nil
        }
    }

    /// Records why the connection ended (unless the supervisor is being stopped) and withdraws
    /// it; done before closing, so that calls failing because of the close find the server not
    /// ready and the reason in place.
    private func recordLoss(_ outcome: Outcome) {
        let stopping = Task.isCancelled
        registry.update(index) { record in
            if !stopping {
                record.phase = outcome.readyFor == nil ? .failed : .restarting
                record.lastError = outcome.reason
                record.settled = true
            }
            record.tools = []
            record.connection = nil
        }
    }

    private func connectAndServe() async -> Outcome {
        let opener = ConnectionOpener(settings: settings, timing: timing, logger: logger)
        let connection: ServerConnection
        let events: AsyncStream<ConnectionEvent>
        do {
            (connection, events) = try await opener.open()
        } catch {
            let outcome = Outcome(reason: ShortError.text(error), readyFor: nil)
            recordLoss(outcome)
            return outcome
        }
        let outcome = await serve(connection, events: events)
        recordLoss(outcome)
        await connection.close(grace: timing.terminationGrace)
        return outcome
    }

    private func serve(_ connection: ServerConnection, events: AsyncStream<ConnectionEvent>) async -> Outcome {
        do {
            try await refreshTools(connection)
        } catch {
            return Outcome(reason: ShortError.text(error), readyFor: nil)
        }
        let readySince = ContinuousClock.now
        registry.update(index) { record in
            record.phase = .ready
            record.connection = connection
            record.settled = true
        }
        let health = Task { await checkHealth(connection) }
        defer { health.cancel() }
        let reason = await handle(events, connection: connection)
        return Outcome(reason: reason, readyFor: ContinuousClock.now - readySince)
    }

    /// Handles events until the connection is lost (its reason) or the task is cancelled.
    private func handle(_ events: AsyncStream<ConnectionEvent>, connection: ServerConnection) async -> String {
        for await event in events {
            switch event {
            case .lost(let reason):
                return reason
            case .toolsChanged:
                do {
                    try await refreshTools(connection)
                } catch {
                    return "tools/list failed: \(ShortError.text(error))"
                }
            }
        }
        return "stopped"
    }

    private func refreshTools(_ connection: ServerConnection) async throws {
        guard let tools = try await TimeLimit.run(timing.listing, { try await connection.listTools() }) else {
            throw ConnectionFailure("tools/list timed out")
        }
        let described = ToolCatalog.describe(tools, server: settings.name, logger: logger)
        registry.update(index) { $0.tools = described }
        logger.info("MCP server ready", metadata: ["tools": "\(described.count)"])
    }

    private func checkHealth(_ connection: ServerConnection) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: timing.pingInterval)
                guard try await TimeLimit.run(timing.pingTimeout, { try await connection.ping() }) != nil else {
                    connection.reportLost("ping timed out")
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                connection.reportLost("ping failed: \(ShortError.text(error))")
                return
            }
        }
    }
}
