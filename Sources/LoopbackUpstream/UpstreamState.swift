import Synchronization

/// The scenario registry and request log shared by the server's connections.
final class UpstreamState: Sendable {
    private struct Storage {
        var scenarios: [String: Scenario] = [:]
        /// Scenarios served one per request, before `scenarios` (fault injection for retries).
        var sequences: [String: [Scenario]] = [:]
        var defaultScenario: Scenario
        var requests: [RecordedRequest] = []
        var isShuttingDown = false
    }

    /// The scenario served before ``LoopbackUpstream/setDefault(_:)`` is called.
    static let initialDefault = Scenario.stream(OpenAIStream(pieces: ["Hello", " from", " loopback"]))

    private let storage = Mutex(Storage(defaultScenario: UpstreamState.initialDefault))
    /// TCP connections accepted since the server started.
    let connectionsAccepted = Atomic(0)

    func register(model: String, _ scenario: Scenario) {
        storage.withLock { storage in
            storage.scenarios[model] = scenario
            storage.sequences[model] = nil
        }
    }

    func register(model: String, sequence: [Scenario]) {
        storage.withLock { storage in
            guard let last = sequence.last else { return }
            storage.sequences[model] = Array(sequence.dropLast())
            storage.scenarios[model] = last
        }
    }

    func setDefault(_ scenario: Scenario) {
        storage.withLock { $0.defaultScenario = scenario }
    }

    func scenario(for model: String?) -> Scenario {
        storage.withLock { storage in
            if let model, var queued = storage.sequences[model], !queued.isEmpty {
                let next = queued.removeFirst()
                storage.sequences[model] = queued
                return next
            }
            return model.flatMap { storage.scenarios[$0] } ?? storage.defaultScenario
        }
    }

    /// Appends a request to the log and returns its index for later updates.
    func append(_ request: RecordedRequest) -> Int {
        storage.withLock { storage in
            storage.requests.append(request)
            return storage.requests.count - 1
        }
    }

    func requests() -> [RecordedRequest] {
        storage.withLock { $0.requests }
    }

    /// The most recent settled request for `model`, if any.
    func latestSettled(model: String) -> RecordedRequest? {
        storage.withLock { storage in
            storage.requests.last { $0.model == model && $0.isSettled }
        }
    }

    func markCompleted(_ index: Int, at instant: ContinuousClock.Instant) {
        storage.withLock { storage in
            if storage.requests[index].clientClosedAt == nil {
                storage.requests[index].completedAt = instant
            }
        }
    }

    /// Records that the client went away mid-response; ignored during shutdown or once settled.
    func markClientClosed(_ index: Int, at instant: ContinuousClock.Instant) {
        storage.withLock { storage in
            guard !storage.isShuttingDown, !storage.requests[index].isSettled else { return }
            storage.requests[index].clientClosedAt = instant
        }
    }

    func markServerAborted(_ index: Int, at instant: ContinuousClock.Instant) {
        storage.withLock { $0.requests[index].serverAbortedAt = instant }
    }

    /// Flags the server as shutting down; returns `false` if it already was.
    func beginShutdown() -> Bool {
        storage.withLock { storage in
            defer { storage.isShuttingDown = true }
            return !storage.isShuttingDown
        }
    }
}
