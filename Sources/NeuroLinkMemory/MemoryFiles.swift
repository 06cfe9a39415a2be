import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory file and its directory are the owner's alone: they hold conversations.
enum MemoryFiles {
    /// Creates the parent directory (mode 0700) when it is missing, and the file (mode 0600) when it
    /// is missing; an existing file is set to 0600. SQLite gives its `-wal` and `-shm` files the
    /// database file's mode.
    static func prepare(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MemoryError(description: failure("open", path)) }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw MemoryError(description: failure("chmod", path)) }
    }

    private static func failure(_ operation: String, _ path: String) -> String {
        "memory database \(path): \(operation): \(String(cString: strerror(errno)))"
    }
}
