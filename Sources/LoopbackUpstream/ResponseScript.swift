import NIOCore
import NIOHTTP1

/// One thing the connection handler does next while answering a request.
enum ResponseStep {
    /// Write the response head.
    case head(HTTPResponseHead)
    /// Write a body part (one HTTP chunk when the body is chunked).
    case body(ByteBuffer)
    /// Flush, then wait before asking for the next step.
    case pause(Duration)
    /// Terminate the body; the response is complete.
    case end
    /// Flush what was written, then close the TCP connection mid-response.
    case abort
    /// Flush and never write again; the connection stays open until either side closes it.
    case hold
}

/// A lazily produced sequence of ``ResponseStep``s, so long streams never sit in memory whole.
protocol ResponseScript {
    /// The next step; called again only after the previous one was carried out.
    mutating func next(allocator: ByteBufferAllocator) -> ResponseStep
}

/// A short, fully known response.
struct FixedResponseScript: ResponseScript {
    private var steps: [ResponseStep]
    private var index = 0

    init(_ steps: [ResponseStep]) {
        self.steps = steps
    }

    /// The same script with `leading` steps (e.g. a pause) run first.
    func prepending(_ leading: [ResponseStep]) -> FixedResponseScript {
        FixedResponseScript(leading + steps[index...])
    }

    mutating func next(allocator: ByteBufferAllocator) -> ResponseStep {
        guard index < steps.count else { return .end }
        defer { index += 1 }
        return steps[index]
    }
}

/// ``Scenario/raw(pieces:delay:)``: each piece as one chunk, each after `delay`.
struct RawResponseScript: ResponseScript {
    private let head: HTTPResponseHead
    private let pieces: [[UInt8]]
    private let delay: Duration
    private var headSent = false
    private var index = 0
    private var waited = false
    private let dropAtEnd: Bool

    init(head: HTTPResponseHead, pieces: [[UInt8]], delay: Duration, dropAtEnd: Bool = false) {
        self.head = head
        self.pieces = pieces
        self.delay = delay
        self.dropAtEnd = dropAtEnd
    }

    mutating func next(allocator: ByteBufferAllocator) -> ResponseStep {
        if !headSent {
            headSent = true
            return .head(head)
        }
        guard index < pieces.count else { return dropAtEnd ? .abort : .end }
        if delay > .zero, !waited {
            waited = true
            return .pause(delay)
        }
        waited = false
        defer { index += 1 }
        return .body(allocator.buffer(bytes: pieces[index]))
    }
}
