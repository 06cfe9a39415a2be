import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Why the daemon cannot take the socket path.
struct SocketFileError: Error, CustomStringConvertible {
    var description: String
}

/// Getting the socket path ready: directory, stale files, a live daemon already there.
enum SocketFile {
    /// Creates the directory and removes a stale socket left by a dead daemon. Refuses when a live
    /// daemon answers on `path` or when `path` is something other than a socket.
    static func prepare(path: String, logger: Logger) throws(SocketFileError) {
        guard path.utf8.count < 108 else {
            throw SocketFileError(
                description: "socket path is \(path.utf8.count) bytes; Unix sockets allow at most 107: \(path)"
            )
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o755]
                )
            } catch {
                throw SocketFileError(
                    description: "cannot create the socket directory \(directory): \(error.localizedDescription)"
                )
            }
        }
        var directoryInfo = stat()
        if !directory.isEmpty, lstat(directory, &directoryInfo) == 0 {
            // Another user must not be able to swap the socket: the directory must be ours (or root's)
            // and not writable by others unless sticky (like /tmp itself).
            let owner = directoryInfo.st_uid
            let othersWritable =
                directoryInfo.st_mode & (S_IWOTH | S_IWGRP) != 0 && directoryInfo.st_mode & S_ISVTX == 0
            guard owner == geteuid() || owner == 0, !othersWritable else {
                throw SocketFileError(
                    description:
                        "the socket directory \(directory) is owned by uid \(owner) or writable by others; refusing to use it"
                )
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // Nothing there.
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw SocketFileError(description: "\(path) exists and is not a socket; refusing to replace it")
        }
        if isAnswering(path) {
            throw SocketFileError(
                description: "another neurolinkd is already serving on \(path) (stop it first, or pass --socket)"
            )
        }
        guard unlink(path) == 0 else {
            throw SocketFileError(
                description: "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))"
            )
        }
        logger.notice("removed a stale socket left by a previous daemon", metadata: ["socket": "\(path)"])
    }

    /// Whether something accepts connections on `path`.
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// Runs `body` (which binds the socket) with the umask set so the socket file is created with
    /// exactly `mode`: it never exists with a wider mode, not even between bind and a chmod.
    static func withCreationMode<T>(_ mode: UInt16, _ body: () async throws -> T) async rethrows -> T {
        let previous = umask(mode_t(~mode & 0o777))
        defer { umask(previous) }
        return try await body()
    }
}
