import CZlib

/// zlib's one-shot `compress2`/`uncompress`: stored answers are compressed on disk.
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
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &size, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw .zlib(status) }
        output.removeSubrange(Int(size)...)
        return output
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
