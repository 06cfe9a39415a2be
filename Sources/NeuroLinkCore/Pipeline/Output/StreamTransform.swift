import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// One step of the output transform chain: every piece of the answer passes through the chain in
/// order before the client, the accumulated text, `generate`'s result, tool-call arguments and the
/// structured-output parser see it (see ``ResponseOutput``).
///
/// A transform may hold text back (a redactor waiting to see whether a pattern completes) and
/// returns it later, from a following piece or from ``flush()`` at the end of the answer.
public protocol StreamTransform: Sendable {
    /// A text delta in, the text that may go on now out.
    mutating func text(_ piece: String) -> String
    /// A reasoning delta in, the reasoning that may go on now out.
    mutating func reasoning(_ piece: String) -> String
    /// A complete tool call in, the call to deliver out.
    mutating func toolCall(_ call: ToolCall) -> ToolCall
    /// The end of the answer: whatever is still held back.
    mutating func flush() -> (text: String, reasoning: String)
    /// Set once the transform ended the answer (a content filter's `stop` rule): the rule's id.
    /// Nothing more of the answer is delivered, and it finishes with `content_filter`.
    var stopRule: String? { get }
    /// Adds what the transform did (redactions, filter matches) to the request's record.
    func report(into outcome: inout SecurityOutcome)
}

extension StreamTransform {
    public mutating func reasoning(_ piece: String) -> String { piece }
    public mutating func toolCall(_ call: ToolCall) -> ToolCall { call }
    public mutating func flush() -> (text: String, reasoning: String) { ("", "") }
    public var stopRule: String? { nil }
    public func report(into outcome: inout SecurityOutcome) {}
}
