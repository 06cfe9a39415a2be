import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads the GET event stream of a Streamable HTTP session as it arrives. FoundationNetworking
/// on Linux has no `bytes(for:)`, so the bytes come through a data delegate.
final class EventStreamListener: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct State {
        var parser = SSEParser()
        var status: Int?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let onMessage: @Sendable (Data) -> Void
    private let onEnd: @Sendable (EventStreamEnding) -> Void
    // Set once in `start`, before any delegate call; URLSession is thread-safe.
    private let session = Mutex<URLSession?>(nil)

    init(onMessage: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable (EventStreamEnding) -> Void) {
        self.onMessage = onMessage
        self.onEnd = onEnd
    }

    /// Opens the stream with `request` (a GET accepting `text/event-stream`).
    func start(_ request: URLRequest) {
        let configuration = URLSessionConfiguration.ephemeral
        // Event streams are idle for long stretches; only the server or `cancel` ends them.
        configuration.timeoutIntervalForRequest = 24 * 3600
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        self.session.withLock { $0 = session }
        session.dataTask(with: request).resume()
    }

    /// Closes the stream; `onEnd` then reports `.cancelled`.
    func cancel() {
        state.withLock { $0.cancelled = true }
        session.withLock { $0 }?.invalidateAndCancel()
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        state.withLock { $0.status = status }
        completionHandler(status == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let events = state.withLock { state in state.status == 200 ? state.parser.feed(data) : [] }
        for event in events { onMessage(event) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (status, cancelled, events) = state.withLock { state in
            (state.status, state.cancelled, state.status == 200 ? state.parser.finish() : [])
        }
        for event in events { onMessage(event) }
        // Breaks the session's strong reference to its delegate.
        session.finishTasksAndInvalidate()
        onEnd(Self.ending(status: status, cancelled: cancelled, error: error))
    }

    private static func ending(status: Int?, cancelled: Bool, error: (any Error)?) -> EventStreamEnding {
        if cancelled { return .cancelled }
        switch status {
        case 405: return .unsupported
        case 404: return .sessionExpired
        case 200: return .dropped(afterOpening: true, reason: error.map(ShortError.text) ?? "event stream closed")
        case let status? where status >= 500:
            return .dropped(afterOpening: false, reason: "event stream: HTTP \(status)")
        case let status?: return .refused(status)
        case nil: return .dropped(afterOpening: false, reason: error.map(ShortError.text) ?? "event stream failed")
        }
    }
}
