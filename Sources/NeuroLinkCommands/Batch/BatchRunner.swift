import NeuroLinkClient
import NeuroLinkProtocol

/// What became of one item.
struct BatchOutcome: Sendable {
    /// Its place in the order the items were started (and are printed in).
    var position: Int
    var index: Int
    var echo: String
    var result: Result<StreamResult, BatchFailure>
}

/// Runs a batch over one connection: at most `concurrency` requests in flight, each outcome
/// handed on in input order. The daemon's admission paces the requests; nothing here waits on
/// purpose.
struct BatchRunner {
    let client: NeuroLinkClient
    let concurrency: Int

    private enum Event: Sendable {
        case finished(BatchOutcome)
        case interrupted
        /// The interrupt stream ended: nothing to do.
        case idle
    }

    /// Runs every item of `source`, calling `emit` with each outcome in input order; `false` when
    /// an interrupt stopped the batch (the requests in flight are cancelled, their outcomes dropped).
    ///
    /// An item is started only while at most `concurrency` items after the next to print have
    /// been started, so however slow one item is, at most `concurrency` results wait in memory.
    func run(
        _ source: inout BatchSource,
        interrupts: AsyncStream<Void>,
        emit: (BatchOutcome) throws -> Void
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Event.self) { group in
            group.addTask {
                for await _ in interrupts { return .interrupted }
                return .idle
            }
            // Returning cancels the interrupt watcher and, after an interrupt, the requests in flight.
            defer { group.cancelAll() }
            var order = ReorderBuffer<BatchOutcome>()
            var started = 0
            var running = 0
            var exhausted = false
            while true {
                while !exhausted, running < concurrency, started - order.next <= concurrency {
                    guard let item = try await source.next() else {
                        exhausted = true
                        break
                    }
                    let position = started
                    group.addTask { [client] in .finished(await Self.perform(item, position: position, client: client))
                    }
                    started += 1
                    running += 1
                }
                if exhausted && running == 0 { return true }
                switch try await group.next() {
                case .interrupted?:
                    return false
                case .finished(let outcome)?:
                    running -= 1
                    for ready in order.insert(outcome, at: outcome.position) { try emit(ready) }
                case .idle?, nil:
                    continue
                }
            }
        }
    }

    private static func perform(_ item: BatchItem, position: Int, client: NeuroLinkClient) async -> BatchOutcome {
        BatchOutcome(position: position, index: item.index, echo: item.echo, result: await result(item, client))
    }

    private static func result(_ item: BatchItem, _ client: NeuroLinkClient) async -> Result<StreamResult, BatchFailure>
    {
        switch item.request {
        case .failure(let failure):
            return .failure(failure)
        case .success(let request):
            do { return .success(try await client.generate(request)) } catch { return .failure(BatchFailure(error)) }
        }
    }
}

/// Puts results that arrive in any order back in order: holds each until every earlier one
/// has been handed on.
struct ReorderBuffer<Element> {
    /// The position handed on next.
    private(set) var next = 0
    private var waiting: [Int: Element] = [:]

    /// How many results wait for an earlier one.
    var count: Int { waiting.count }

    /// Accepts the result at `position`; returns the results now ready, in order.
    mutating func insert(_ element: Element, at position: Int) -> [Element] {
        waiting[position] = element
        var ready: [Element] = []
        while let element = waiting.removeValue(forKey: next) {
            ready.append(element)
            next += 1
        }
        return ready
    }
}
