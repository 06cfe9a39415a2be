/// Thrown by a window read that needs a byte which has not arrived yet.
struct PIINeedMoreInput: Error {}

/// The view a detector gets of the text at one scan position.
///
/// Every decision a detector makes depends only on the bytes it reads through this window, the two
/// bytes before the position, and whether the text has ended. A read past the bytes received so far
/// throws ``PIINeedMoreInput`` unless the text is final, in which case it returns `nil` (end of
/// text). So a streaming scanner either gets the same answer as a whole-text scan or is told to
/// wait; it can never decide early. Reads at offsets of ``lookahead`` or more always return `nil`:
/// no detector looks further, which is what bounds the streaming hold-back.
struct PIIScanWindow {
    /// How far a detector may read from its start position, in bytes.
    ///
    /// 255 is the smallest limit that keeps every detector exact: the farthest read is offset 254,
    /// the byte after an e-mail address of the maximum 254 bytes, which tells whether its last label
    /// ends there. The other detectors read less: JWT prefixes at most to offset 246 (`eyJ`, a
    /// header of up to 240 bytes, `.`, `eyJ`), every other detector below offset 100.
    static let lookahead = 255

    let bytes: UnsafeBufferPointer<UInt8>
    /// Index in `bytes` of the position being examined.
    let start: Int
    /// Index in `bytes` one past the last byte received.
    let availableEnd: Int
    /// Whether the text ends at `availableEnd`.
    let isFinal: Bool

    /// The byte at `offset` from the start position, `nil` at the end of the text or window.
    @inline(__always)
    func byte(_ offset: Int) throws(PIINeedMoreInput) -> UInt8? {
        guard offset < PIIScanWindow.lookahead else { return nil }
        let index = start + offset
        if index < availableEnd { return bytes[index] }
        if isFinal { return nil }
        throw PIINeedMoreInput()
    }

    /// Whether the bytes at `offset` spell `literal`.
    func matches(_ literal: StaticString, at offset: Int) throws(PIINeedMoreInput) -> Bool {
        let count = literal.utf8CodeUnitCount
        let base = literal.utf8Start
        for index in 0..<count where try byte(offset + index) != base[index] {
            return false
        }
        return true
    }

    /// The number of consecutive bytes from `offset` that satisfy `predicate`, reading at most `limit`.
    func run(
        from offset: Int,
        limit: Int,
        while predicate: (UInt8?) -> Bool
    ) throws(PIINeedMoreInput) -> Int {
        var length = 0
        while length < limit, predicate(try byte(offset + length)) {
            length += 1
        }
        return length
    }

    /// The byte just before the start position, `nil` at the start of the text.
    var previous: UInt8? {
        start >= 1 ? bytes[start - 1] : nil
    }

    /// The byte two before the start position, `nil` if there is none.
    var secondPrevious: UInt8? {
        start >= 2 ? bytes[start - 2] : nil
    }
}
