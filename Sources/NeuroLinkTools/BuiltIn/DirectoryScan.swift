#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a listing.
struct DirectoryEntry: Sendable, Equatable, Encodable {
    var name: String
    var type: FileKind
    /// Bytes, for regular files only.
    var size: Int?
}

/// The entries of an open directory, read through its descriptor so that no path is looked up
/// again after the confinement check.
struct DirectoryScan: Sendable {
    /// The most entries listed.
    var maxEntries: Int
    /// The most names read before giving up on counting: the listing is sorted, so every name is
    /// held at once.
    var maxNamesScanned = 100_000

    struct Listing: Sendable {
        /// The first `maxEntries` entries by name.
        var entries: [DirectoryEntry]
        /// Every entry but `.` and `..`; nil when there were more than `maxNamesScanned`.
        var total: Int?
    }

    /// Lists `descriptor`, which this takes over and closes.
    func list(_ descriptor: Int32) -> Listing? {
        guard let directory = fdopendir(descriptor) else {
            close(descriptor)
            return nil
        }
        defer { closedir(directory) }
        let (names, complete) = readNames(directory)
        let sorted = names.map { (display: String(decoding: $0, as: UTF8.self), raw: $0) }
            .sorted { $0.display < $1.display }
        let entries = sorted.prefix(maxEntries).compactMap { name in
            Self.entry(name.display, raw: name.raw, in: dirfd(directory))
        }
        return Listing(entries: entries, total: complete ? names.count : nil)
    }

    /// Every name but `.` and `..`, as bytes, and whether the scan reached the end.
    private func readNames(_ directory: OpaquePointer) -> ([[UInt8]], Bool) {
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            guard names.count < maxNamesScanned else { return (names, false) }
            names.append(name)
        }
        return (names, true)
    }

    /// The entry called `raw` in `directory`, or nil when it has gone since it was read.
    private static func entry(_ display: String, raw: [UInt8], in directory: Int32) -> DirectoryEntry? {
        var status = stat()
        let cName = raw.map { CChar(bitPattern: $0) } + [0]
        guard fstatat(directory, cName, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        let kind = PosixFiles.kind(status)
        return DirectoryEntry(name: display, type: kind, size: kind == .file ? Int(status.st_size) : nil)
    }
}
