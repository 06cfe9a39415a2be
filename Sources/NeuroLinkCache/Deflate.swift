import CZlib

/// zlib streams: stored answers are compressed on disk.
///
/// Compression uses the fastest level and a window no larger than the answer: most answers are a few KB, and
/// zlib's defaults (level 6, a 32 KB window, a 64 KB hash table to clear) took twice the instructions for about
/// 2 % fewer bytes. `uncompress` reads a stream of any window size, so rows written before keep working.
enum Deflate {
    enum Failure: Error, CustomStringConvertible {
        case zlib(Int32)
        var description: String {
            switch self {
            case .zlib(let code): "zlib error \(code)"
            }
        }
    }

    static func compress(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        let (windowBits, memoryLevel) = sizing(bytes.count)
        // On the heap: zlib keeps the stream's address and refuses a call made with another.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let started = deflateInit2_(
            stream,
            Z_BEST_SPEED,
            Z_DEFLATED,
            windowBits,
            memoryLevel,
            Z_DEFAULT_STRATEGY,
            ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size)
        )
        guard started == Z_OK else { throw .zlib(started) }
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                // zlib does not write through `next_in`; its type predates `const`.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw .zlib(status == Z_OK ? Z_BUF_ERROR : status) }
        output.removeSubrange(Int(stream.pointee.total_out)...)
        return output
    }

    /// The window (2⁹ to 2¹⁵ bytes) that holds `count` bytes, and a hash table sized to match.
    static func sizing(_ count: Int) -> (windowBits: Int32, memoryLevel: Int32) {
        var windowBits: Int32 = 9
        while windowBits < 15, 1 << windowBits < count { windowBits += 1 }
        return (windowBits, max(1, min(8, windowBits - 7)))
    }

    /// `originalSize` is what ``compress(_:)`` was given; a mismatch (a damaged row) fails.
    static func decompress(_ bytes: [UInt8], originalSize: Int) throws(Failure) -> [UInt8] {
        guard originalSize >= 0, originalSize <= maxOriginalSize else { throw .zlib(Z_DATA_ERROR) }
        var size = uLong(originalSize)
        var output = [UInt8](repeating: 0, count: max(originalSize, 1))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &size, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(size) == originalSize else { throw .zlib(status == Z_OK ? Z_DATA_ERROR : status) }
        output.removeSubrange(originalSize...)
        return output
    }

    /// Largest answer a row may claim to hold: `cache.max_entry_kb`'s maximum.
    static let maxOriginalSize = 64 << 20
}
