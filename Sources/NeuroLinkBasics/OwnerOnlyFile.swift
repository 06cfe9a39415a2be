#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Database files that hold what only the daemon may read (the audit log, conversations): the
/// file mode 0600, its directory 0700.
public enum OwnerOnlyFile {
    /// Creates the parent directory (mode 0700) when it is missing, and the file (mode 0600) when
    /// it is missing; an existing file is set to 0600. SQLite gives its `-wal` and `-shm` files the
    /// database file's mode.
    public static func prepare(_ path: String) throws {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? ""
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw OwnerOnlyFileError(path: path, operation: "open", code: errno) }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw OwnerOnlyFileError(path: path, operation: "chmod", code: errno)
        }
    }
}

/// A system call on an owner-only file failed.
public struct OwnerOnlyFileError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
