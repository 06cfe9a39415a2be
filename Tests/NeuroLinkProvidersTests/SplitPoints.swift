/// Where a decoder test cuts a recorded stream in two.
enum SplitPoints {
    /// Every offset when the stream's lines end in LF. With CR or CRLF endings the SSE parser's own
    /// tests already cut at every offset; here every 5th offset and every offset next to a line
    /// ending (where CR and LF can land in different pieces) keep the decoder test a quarter as long.
    static func forRecording(_ bytes: [UInt8], lineEndings variant: String) -> [Int] {
        guard variant != "LF" else { return Array(0...bytes.count) }
        return (0...bytes.count).filter { offset in
            offset % 5 == 0 || [offset - 1, offset].contains { bytes.indices.contains($0) && Self.isEnding(bytes[$0]) }
        }
    }

    private static func isEnding(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") }
}
