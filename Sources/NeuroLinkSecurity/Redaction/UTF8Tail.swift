/// Finds where a run of bytes stops being releasable without cutting a UTF-8 character.
enum UTF8Tail {
    /// The end of the longest prefix of `bytes[start..<end]` that does not finish with the first
    /// bytes of a multi-byte character still waiting for its continuation bytes.
    ///
    /// At most three bytes are held back. Bytes that can never become valid UTF-8 (a stray
    /// continuation byte, a lead byte followed by ASCII) are not held: they pass through as they are.
    static func completePrefixEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var lookback = 1
        while lookback <= 4, end - lookback >= start {
            let byte = bytes[end - lookback]
            if byte & 0xC0 == 0x80 {
                lookback += 1
                continue
            }
            let needed = sequenceLength(lead: byte)
            return lookback < needed ? end - lookback : end
        }
        return end
    }

    /// The length of the UTF-8 sequence a lead byte starts (1 for ASCII and invalid lead bytes).
    static func sequenceLength(lead byte: UInt8) -> Int {
        switch byte {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1
        }
    }
}
