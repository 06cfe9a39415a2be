import Foundation
import NeuroLinkBasics
import Synchronization

/// The local sentence-embedding model (all-MiniLM-L6-v2) behind one worker thread and a bounded
/// queue: ``embed(_:waitingAtMost:)`` returns `nil` — a cache miss, never a stalled request —
/// when the queue is full or the vector is not ready in time.
public final class Embedder: Sendable {
    /// Vector length.
    public static let dimensions = MiniLM.hidden
    /// The files a model directory holds.
    public static let files = ["model.safetensors", "vocab.txt"]

    /// Where one caller's request for a vector stands.
    private enum Ticket {
        /// Given out; the caller has not registered yet.
        case allocated
        /// The caller waits; its text is queued or being embedded.
        case waiting(CheckedContinuation<[Float]?, Never>)
        /// Its time ran out before the caller registered.
        case expired
    }

    private struct Queue {
        /// Texts for the worker, oldest first.
        var texts: [(ticket: Int, text: String)] = []
        var tickets: [Int: Ticket] = [:]
        var next = 0
        var stopped = false
    }

    private let tokenizer: WordPieceTokenizer
    private let model: MiniLM
    private let capacity: Int
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)

    /// Loads `model.safetensors` and `vocab.txt` from `directory` and starts the worker thread.
    /// - Parameter capacity: texts waiting at most; past it ``embed(_:waitingAtMost:)`` returns `nil`.
    public init(directory: String, maxTokens: Int = 128, capacity: Int = 64) throws(EmbeddingError) {
        tokenizer = try WordPieceTokenizer(vocabulary: directory + "/vocab.txt", maxTokens: maxTokens)
        model = try MiniLM(weights: directory + "/model.safetensors")
        self.capacity = max(1, capacity)
        Thread.detachNewThread { [self] in
            nameCurrentThread("nl-embedding")
            work()
        }
    }

    /// The vector of `text` on the caller's thread, waiting for any forward pass in progress: for
    /// tools and benchmarks, never for a task of the cooperative pool (use
    /// ``embed(_:waitingAtMost:)``).
    public func embedNow(_ text: String) -> [Float] {
        model.embed(tokenizer.encode(text))
    }

    /// The token ids `text` becomes (`[CLS]` … `[SEP]`, at most `maxTokens`).
    public func tokens(_ text: String) -> [Int32] { tokenizer.encode(text) }

    /// The vector of `text`, or `nil` when the worker cannot produce it within `limit` (or its
    /// queue is full): the caller never waits longer than `limit`.
    public func embed(_ text: String, waitingAtMost limit: Duration) async -> [Float]? {
        let ticket = queue.withLock { queue -> Int? in
            guard !queue.stopped, queue.texts.count < capacity else { return nil }
            queue.next += 1
            queue.tickets[queue.next] = .allocated
            return queue.next
        }
        guard let ticket else { return nil }
        return await withTaskGroup(of: [Float]?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let registered = self.queue.withLock { queue -> Bool in
                        guard !queue.stopped, case .allocated = queue.tickets[ticket] else {
                            queue.tickets[ticket] = nil
                            return false
                        }
                        queue.tickets[ticket] = .waiting(continuation)
                        queue.texts.append((ticket, text))
                        return true
                    }
                    if registered { self.wake.signal() } else { continuation.resume(returning: nil) }
                }
            }
            group.addTask {
                // Cancelled: the vector came first.
                guard (try? await Task.sleep(for: limit)) != nil else { return nil }
                // Too late: the caller gets nil now; the worker drops the text or its vector.
                self.answer(ticket, with: nil)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Stops the worker; queued texts get `nil`.
    public func stop() {
        let waiting = queue.withLock { queue -> [CheckedContinuation<[Float]?, Never>] in
            queue.stopped = true
            defer {
                queue.texts = []
                queue.tickets = [:]
            }
            return queue.tickets.values.compactMap { ticket in
                if case .waiting(let continuation) = ticket { continuation } else { nil }
            }
        }
        for continuation in waiting { continuation.resume(returning: nil) }
        wake.signal()
    }

    /// Resumes the caller waiting for `ticket`, if it still waits.
    private func answer(_ ticket: Int, with vector: [Float]?) {
        let continuation = queue.withLock { queue -> CheckedContinuation<[Float]?, Never>? in
            switch queue.tickets.removeValue(forKey: ticket) {
            case .waiting(let continuation):
                queue.texts.removeAll { $0.ticket == ticket }
                return continuation
            case .allocated:
                if vector == nil { queue.tickets[ticket] = .expired }
                return nil
            case .expired, nil:
                return nil
            }
        }
        continuation?.resume(returning: vector)
    }

    private func work() {
        while true {
            wake.wait()
            while let (ticket, text) = nextText() {
                answer(ticket, with: embedNow(text))
            }
            if queue.withLock({ $0.stopped }) { return }
        }
    }

    /// The oldest queued text whose caller still waits, taken out of the queue.
    private func nextText() -> (Int, String)? {
        queue.withLock { queue in
            while !queue.texts.isEmpty {
                let (ticket, text) = queue.texts.removeFirst()
                if case .waiting = queue.tickets[ticket] { return (ticket, text) }
            }
            return nil
        }
    }
}
