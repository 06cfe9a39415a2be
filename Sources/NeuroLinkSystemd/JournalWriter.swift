import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Delivers journal entries (lists of `NAME=value` fields).
public struct JournalWriter: Sendable {
    private let write: @Sendable ([String]) -> Bool

    /// A writer that hands entries to `write`, which returns whether the entry was delivered.
    public init(_ write: @escaping @Sendable ([String]) -> Bool) {
        self.write = write
    }

    /// Sends one entry; returns whether it was delivered.
    @discardableResult
    public func send(_ fields: [String]) -> Bool { write(fields) }

    /// The journal itself, through `sd_journal_sendv` (native protocol: values may hold newlines).
    public static let systemd = JournalWriter { fields in
        // One contiguous buffer for all fields, so every iovec points into memory that stays valid
        // for the whole call.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.utf8)
            ranges.append(start..<buffer.count)
        }
        let result = buffer.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return -EINVAL }
            var vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return sd_journal_sendv(&vectors, Int32(vectors.count))
        }
        return result >= 0
    }
}
