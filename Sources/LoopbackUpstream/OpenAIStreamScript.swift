import NIOCore
import NIOHTTP1

/// Produces the steps of a streamed ``OpenAIStream`` one event at a time.
struct OpenAIStreamScript: ResponseScript {
    private enum Phase {
        case head
        case firstWait
        case role
        case beforePiece(Int)
        case piece(Int)
        case ending
    }

    private let head: HTTPResponseHead
    private let stream: OpenAIStream
    private let encoder: OpenAIChunkEncoder
    private let includeUsage: Bool
    private var phase = Phase.head
    private var endingSteps = FixedResponseScript([])

    init(head: HTTPResponseHead, stream: OpenAIStream, model: String, includeUsage: Bool) {
        self.head = head
        self.stream = stream
        self.encoder = OpenAIChunkEncoder(model: model, includeUsage: includeUsage)
        self.includeUsage = includeUsage
    }

    mutating func next(allocator: ByteBufferAllocator) -> ResponseStep {
        switch phase {
        case .head:
            phase = .firstWait
            return .head(head)
        case .firstWait:
            phase = .role
            let wait = stream.firstDelay ?? stream.delay
            return wait > .zero ? .pause(wait) : next(allocator: allocator)
        case .role:
            phase = .beforePiece(0)
            return .body(encoder.roleChunk(allocator: allocator))
        case .beforePiece(let index):
            if let steps = endingSteps(afterPieces: index, allocator: allocator) {
                endingSteps = FixedResponseScript(steps)
                phase = .ending
                return next(allocator: allocator)
            }
            phase = .piece(index)
            return index > 0 && stream.delay > .zero ? .pause(stream.delay) : next(allocator: allocator)
        case .piece(let index):
            phase = .beforePiece(index + 1)
            return .body(encoder.contentChunk(stream.pieces[index], allocator: allocator))
        case .ending:
            return endingSteps.next(allocator: allocator)
        }
    }

    /// The closing steps once `sent` content events are out, or `nil` to keep streaming.
    private func endingSteps(afterPieces sent: Int, allocator: ByteBufferAllocator) -> [ResponseStep]? {
        let count = stream.pieces.count
        switch stream.ending {
        case .dropAfter(let pieces) where sent >= min(pieces, count):
            return [.abort]
        case .inStreamError(let pieces, let message) where sent >= min(pieces, count):
            return [.body(OpenAIChunkEncoder.errorEvent(message: message, allocator: allocator)), .end]
        case .cleanEOFWithoutDone where sent >= count:
            return [.end]
        case .done where sent >= count:
            var steps: [ResponseStep] = [.body(encoder.finishChunk(reason: stream.finishReason, allocator: allocator))]
            if includeUsage, let usage = stream.usage {
                steps.append(
                    .body(encoder.usageChunk(prompt: usage.prompt, completion: usage.completion, allocator: allocator))
                )
            }
            steps.append(.body(OpenAIChunkEncoder.doneEvent(allocator: allocator)))
            steps.append(.end)
            return steps
        default:
            return nil
        }
    }
}
