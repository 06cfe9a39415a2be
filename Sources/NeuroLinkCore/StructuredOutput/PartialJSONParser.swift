import NeuroLinkProtocol

/// Parses a JSON document that arrives as text deltas, such as an LLM writing structured output
/// token by token, and offers a best-effort value at every step.
///
/// ```swift
/// var parser = PartialJSONParser()
/// for try await delta in deltas {
///     parser.append(delta)
///     if let preview = parser.current { render(preview) }
/// }
/// let result = try parser.finalValue()
/// ```
///
/// Text before the first `{` or `[` (prose, a ```` ```json ```` fence line) is skipped, and a closing
/// fence after the value is ignored, because models often wrap JSON that way.
///
/// ``current`` is monotonic: each snapshot extends the previous one, with members only appearing,
/// strings and arrays only growing, and a number being written only changing its digits (a
/// duplicate key, which replaces the earlier member, is the one exception).
/// A partial number shows its longest valid prefix (`12.` shows 12; `-` shows nothing), so a member
/// never vanishes between `1` and `1.5`. Keys without a value, unfinished `true`/`false`/`null`,
/// and half-read escapes (`\u00`, an unpaired high surrogate so far) are left out until complete.
///
/// ## Complexity
/// The parser is a stack-based state machine that sees every byte once: ``append(_:)`` costs
/// amortised O(delta length), with no re-lexing of earlier text. Completed values are stored as
/// ``JSONValue``s in the stack frames, so ``current`` only assembles the open path:
/// O(depth + direct members of the open containers + length of the string being written), which
/// is at most proportional to the document. If the caller keeps the previous snapshot alive while
/// appending, copy-on-write may copy the open containers once more; still O(document) per delta.
///
/// Nesting is limited to ``maximumDepth`` levels so hostile input cannot exhaust the stack of code
/// that later walks the value recursively.
public struct PartialJSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted; deeper input stops the parse with an error.
    public static let maximumDepth = 512

    /// `containerAfterPreamble` is the public behaviour; `anyValue` backs ``finalValue()`` for a
    /// text that holds a bare scalar (`42`), where there is no `{` or `[` to look for.
    enum RootPolicy: Sendable { case containerAfterPreamble, anyValue }
    /// Where in the text the parser is: before the root, inside it, or after it closed.
    enum Phase: Sendable { case preamble, value, trailing }
    /// The token being read, if any; its lexer state lives in the matching stored property.
    enum Token: Sendable { case none, key, string, number, literal }

    var phase: Phase
    var stack: [Frame] = []
    var token = Token.none
    // Lexer states live in separate stored properties, not enum payloads, so they are mutated in
    // place; pulling a payload out of an enum would copy the growing buffer on every byte.
    var string = StringLexer()
    var number = NumberLexer()
    var literal = LiteralLexer()
    /// The value, once the root has closed.
    var root: JSONValue?
    /// Bytes skipped before the root, kept so ``finalValue()`` can insist they were only a fence.
    var preamble: [UInt8] = []
    var trailingBackticks = 0
    var trailingFenceClosed = false
    /// Bytes consumed before the current delta, and the offset of the byte being processed.
    var consumed = 0
    var position = 0
    /// A structural error: parsing stopped there and later text is ignored.
    var halted: PartialJSONError?
    /// The first problem that makes ``finalValue()`` throw. Some problems (a raw newline inside a
    /// string, an unpaired surrogate, text after the value) are tolerated for ``current``.
    var strictError: PartialJSONError?

    /// Creates a parser that has seen no text.
    public init() {
        self.init(rootPolicy: .containerAfterPreamble)
    }

    init(rootPolicy: RootPolicy) {
        phase = rootPolicy == .anyValue ? .value : .preamble
    }

    /// Feeds the next piece of the document. Pieces may split the text anywhere, even inside an
    /// escape sequence. Costs amortised O(`text.utf8.count`).
    public mutating func append(_ text: String) {
        guard halted == nil else { return }
        var text = text
        text.withUTF8 { consume($0) }
    }

    /// The best-effort value parsed so far, or `nil` before the first `{` or `[`.
    ///
    /// See the type's documentation for what a partial value contains and what it costs.
    public var current: JSONValue? { snapshot() }

    /// Whether the top-level object or array has closed.
    public var isComplete: Bool { root != nil }

    /// The complete value, checked strictly: the whole text must be exactly one JSON value,
    /// optionally surrounded by whitespace and a Markdown code fence.
    ///
    /// - Throws: ``PartialJSONError`` naming the first problem: a syntax error, a truncated
    ///   document, prose before or after the value, or a tolerated irregularity such as a raw
    ///   control character inside a string.
    public func finalValue() throws(PartialJSONError) -> JSONValue {
        if let strictError { throw strictError }
        if phase == .preamble { return try Self.parseBareValue(preamble) }
        guard let root else { throw unexpectedEnd() }
        try checkEnvelope()
        return root
    }

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < bytes.count, halted == nil {
            position = consumed + index
            switch phase {
            case .preamble:
                index = skipPreamble(bytes, from: index)
            case .trailing:
                // After the first irregularity nothing later can change the outcome.
                guard strictError == nil else {
                    index = bytes.count
                    break
                }
                consumeTrailing(bytes[index])
                index += 1
            case .value:
                switch token {
                case .string, .key: index = consumeString(bytes, from: index)
                case .number: index = consumeNumberByte(bytes[index]) ? index + 1 : index
                case .literal:
                    consumeLiteralByte(bytes[index])
                    index += 1
                case .none:
                    consumeStructural(bytes[index])
                    index += 1
                }
            }
        }
        consumed += bytes.count
    }

    /// Stops parsing: the state stays as it was before the offending byte, so ``current`` keeps
    /// showing what was valid.
    mutating func fail(_ message: String) {
        let error = PartialJSONError(offset: position, message: message)
        halted = error
        if strictError == nil { strictError = error }
    }

    /// Records a problem that only strict parsing rejects, and carries on.
    mutating func tolerate(_ message: String) {
        if strictError == nil { strictError = PartialJSONError(offset: position, message: message) }
    }
}
