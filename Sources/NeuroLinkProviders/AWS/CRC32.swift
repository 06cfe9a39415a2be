/// CRC-32 with the IEEE 802.3 polynomial (the zlib/PNG checksum), as AWS event-stream frames use it.
///
/// Written here rather than taken from zlib so the providers module links nothing new for a
/// few lines of arithmetic; the table makes it byte-at-a-time, which is ample for LLM streams.
public enum CRC32 {
    /// The reflected form of the polynomial 0x04C11DB7.
    static let polynomial: UInt32 = 0xEDB8_8320

    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ polynomial : value >> 1
        }
        return value
    }

    /// The checksum of `bytes`; pass a previous result as `seed` to continue over more bytes.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes, seed: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        var crc = ~seed
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }
}
