/// Applies content filter rules to a text that arrives in pieces, with exactly the result of
/// ``ContentFilter`` on the whole text.
///
/// For any text and any split of it into string pieces, or into byte pieces cut anywhere (even
/// inside a character), the `feed` outputs followed by `finish` concatenate to the output of
/// ``ContentFilter/apply(_:)`` (resp. ``ContentFilter/apply(utf8:)``), and ``stop`` and
/// ``replacementCount`` end equal to its result.
///
/// **Hold-back.** A position is released as soon as no rule can match there any more. Term rules
/// hold text only where a term could still start, at most the term plus one character (the word
/// boundary). Pattern rules need their whole `maxMatchLength` window at every position, so with a
/// pattern rule the last `maxMatchLength` bytes (plus at most 3 of a character straddling the
/// window's end) are always held. ``heldByteCount`` never exceeds ``maximumHeldBytes``, and
/// released output never ends inside a UTF-8 character.
///
/// **Stop.** When a stop rule matches, the text before the match is returned, ``stop`` names the rule
/// (never the matched text) and all later input is dropped, also across ``finish()``.
///
/// Not `Sendable` because Swift's `Regex` is not: create one per stream, inside the task that uses
/// it, from the `Sendable` ``ContentFilterRules``.
public struct StreamingContentFilter {
    private let compiled: CompiledContentFilter
    private var buffer: [UInt8] = []
    /// The next unit start to decide; every byte before it has been released.
    private var position = 0

    /// The stop rule that fired, if any.
    public private(set) var stop: ContentFilterStop?
    /// How many matches have been replaced.
    public private(set) var replacementCount = 0

    /// Compiles `rules`; throws if a rule cannot be used.
    public init(rules: ContentFilterRules) throws(ContentFilterError) {
        compiled = try CompiledContentFilter(rules)
    }

    /// The upper bound of ``heldByteCount`` for these rules.
    public var maximumHeldBytes: Int {
        compiled.maximumHeldBytes
    }

    /// Bytes received but not released yet.
    public var heldByteCount: Int {
        buffer.count - position
    }

    /// Feeds the next piece and returns the text that can be released now.
    public mutating func feed(_ piece: String) -> String {
        String(decoding: feed(utf8: piece.utf8), as: UTF8.self)
    }

    /// Feeds the next bytes (split anywhere) and returns the bytes that can be released now.
    public mutating func feed(utf8 piece: some Collection<UInt8>) -> [UInt8] {
        guard stop == nil else { return [] }
        buffer.append(contentsOf: piece)
        return advance(isFinal: false)
    }

    /// Ends the text: returns what is still held, filtered, and resets for a new text (a fired
    /// ``stop`` stays, and keeps dropping input).
    public mutating func finish() -> String {
        String(decoding: finishUTF8(), as: UTF8.self)
    }

    /// ``finish()`` as UTF-8 bytes.
    public mutating func finishUTF8() -> [UInt8] {
        let output = stop == nil ? advance(isFinal: true) : []
        buffer.removeAll(keepingCapacity: true)
        position = 0
        return output
    }

    private mutating func advance(isFinal: Bool) -> [UInt8] {
        var output: [UInt8] = []
        let compiled = self.compiled
        let start = position
        let outcome = buffer.withUnsafeBufferPointer { bytes in
            Self.scan(bytes, from: start, isFinal: isFinal, compiled: compiled, into: &output)
        }
        position = outcome.position
        replacementCount += outcome.replacements
        if let stopRule = outcome.stopRule {
            stop = ContentFilterStop(ruleIndex: stopRule, ruleID: compiled.rules[stopRule].id)
            buffer.removeAll()
            position = 0
        } else {
            compact()
        }
        return output
    }

    /// Decides positions from `start` until one needs more input; writes the released bytes.
    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        isFinal: Bool,
        compiled: CompiledContentFilter,
        into output: inout [UInt8]
    ) -> (position: Int, replacements: Int, stopRule: Int?) {
        var position = start
        var releasedUpTo = start
        var replacements = 0
        while position < bytes.count {
            let window = FilterTextWindow(bytes: bytes, start: position, availableEnd: bytes.count, isFinal: isFinal)
            let decision: FilterDecision
            do {
                guard let decided = try decide(window, compiled) else {
                    position += try window.unit(at: position)?.length ?? 1
                    continue
                }
                decision = decided
            } catch {
                break
            }
            output.append(contentsOf: bytes[releasedUpTo..<position])
            switch decision {
            case .stop(let ruleIndex):
                return (position, replacements, ruleIndex)
            case .replace(let ruleIndex, let length):
                output.append(contentsOf: compiled.replacement(for: ruleIndex).utf8)
                replacements += 1
                position += length
                releasedUpTo = position
            }
        }
        output.append(contentsOf: bytes[releasedUpTo..<position])
        return (position, replacements, nil)
    }

    private static func decide(
        _ window: FilterTextWindow,
        _ compiled: CompiledContentFilter
    ) throws(FilterNeedMoreInput) -> FilterDecision? {
        guard compiled.mayStart(with: window.bytes[window.start]) else { return nil }
        return try compiled.decide(window)
    }

    /// Drops released bytes, keeping four for the whole-word test, once they outnumber the kept ones.
    private mutating func compact() {
        let droppable = position - 4
        guard droppable > 0, droppable >= buffer.count - droppable else { return }
        buffer.removeSubrange(0..<droppable)
        position -= droppable
    }
}
