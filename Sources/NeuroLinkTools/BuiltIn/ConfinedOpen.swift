#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileToolRoots {
    /// Opens the resolved path `resolved` for reading as a file of `kind` (`.file` or
    /// `.directory`). Three checks close the gap between `realpath` and `open`: `lstat` refuses
    /// the wrong kind before `open` touches a device or FIFO (and `O_NONBLOCK` keeps a FIFO
    /// swapped in afterwards from blocking); `O_NOFOLLOW` refuses a last component turned into a
    /// symlink; and what is read is decided by the open descriptor alone, whose own path must
    /// still be inside a root and whose `fstat` must show the right kind.
    ///
    /// Returns the descriptor, which the caller closes, and its metadata.
    func openConfined(_ resolved: String, as kind: FileKind, requested: String) throws(ToolError) -> (Int32, stat) {
        guard let before = PosixFiles.linkStatus(resolved) else { throw notFound(requested) }
        try Self.expect(kind, found: PosixFiles.kind(before), requested: requested)
        let descriptor: Int32
        switch PosixFiles.openForReading(resolved, directory: kind == .directory) {
        case .success(let opened): descriptor = opened
        case .failure(let error) where error.isPermissionDenied:
            throw ToolError("'\(BuiltInText.clipped(requested))' cannot be read: permission denied.")
        case .failure: throw notFound(requested)
        }
        do throws(ToolError) {
            try confirmInside(descriptor: descriptor, opened: resolved, requested: requested)
            guard let after = PosixFiles.status(of: descriptor) else { throw notFound(requested) }
            try Self.expect(kind, found: PosixFiles.kind(after), requested: requested)
            return (descriptor, after)
        } catch {
            close(descriptor)
            throw error
        }
    }

    private static func expect(_ wanted: FileKind, found: FileKind, requested: String) throws(ToolError) {
        guard found != wanted else { return }
        let path = "'\(BuiltInText.clipped(requested))'"
        switch (wanted, found) {
        case (.file, .directory): throw ToolError("\(path) is a directory; use listDirectory to see its entries.")
        case (.directory, .file): throw ToolError("\(path) is a file, not a directory; use readFile to read it.")
        case (.file, _): throw ToolError("\(path) is not a regular file; readFile reads regular files only.")
        default: throw ToolError("\(path) is not a directory.")
        }
    }
}
