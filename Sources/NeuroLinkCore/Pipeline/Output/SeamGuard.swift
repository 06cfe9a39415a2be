import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Keeps a continued answer (`continueOnFailure`) from repeating what the client already has.
///
/// The next member is asked to continue after the delivered text, but a model may instead start
/// the answer over. The guard holds back the continuation while it still matches the delivered
/// text from the start: once it diverges, everything held is released; once it has repeated the
/// whole delivered text, the repeat is dropped and only what follows it is released.
///
/// It is the first transform of the chain while a continuation runs (see
/// ``ResponseOutput/beginContinuation()``), so it sees the new member's text as it arrives.
struct SeamGuard: StreamTransform {
    private let delivered: [Character]
    private var held = ""
    private var matched = 0
    private(set) var passthrough = false

    init(delivered: String) {
        self.delivered = Array(delivered)
        passthrough = delivered.isEmpty
    }

    /// The part of `piece` that may go to the client now.
    mutating func text(_ piece: String) -> String {
        guard !passthrough else { return piece }
        var index = piece.startIndex
        while index < piece.endIndex {
            guard matched < delivered.count else {
                // The whole delivered text was repeated: drop it, release the rest.
                passthrough = true
                return String(piece[index...])
            }
            guard piece[index] == delivered[matched] else {
                passthrough = true
                let released = held + piece
                held = ""
                return released
            }
            matched += 1
            index = piece.index(after: index)
        }
        if matched == delivered.count {
            passthrough = true
            held = ""
            return ""
        }
        held += piece
        return ""
    }

    /// At the end of the continuation: text still held only repeated part of the delivered text.
    mutating func flush() -> (text: String, reasoning: String) {
        passthrough = true
        held = ""
        return ("", "")
    }
}
