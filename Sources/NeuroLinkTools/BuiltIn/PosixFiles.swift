#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls behind the file tools.
enum PosixFiles {
    /// `path` with every symlink followed and `.`/`..` removed, or nil when some component does
    /// not exist or cannot be searched.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The path the open `descriptor` refers to now, as the kernel sees it; nil without /proc.
    static func path(of descriptor: Int32) -> String? {
        #if os(Linux)
        return linkTarget("/proc/self/fd/\(descriptor)")
        #else
        return nil
        #endif
    }

    /// Where the symlink at `path` points, or nil when it is not a readable symlink.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The descriptor's path where the kernel cannot tell it: `expected` resolved again, provided
    /// it still names the very inode the descriptor has open.
    static func path(of descriptor: Int32, expected: String) -> String? {
        guard let resolved = realPath(expected), let opened = status(of: descriptor) else { return nil }
        var named = stat()
        guard stat(resolved, &named) == 0, named.st_dev == opened.st_dev, named.st_ino == opened.st_ino else {
            return nil
        }
        return resolved
    }

    /// Metadata of `path` itself (a symlink is not followed), or nil when it cannot be read.
    static func linkStatus(_ path: String) -> stat? {
        var status = stat()
        return lstat(path, &status) == 0 ? status : nil
    }

    /// Metadata of the open `descriptor`.
    static func status(of descriptor: Int32) -> stat? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? status : nil
    }

    /// What kind of file `status` describes.
    static func kind(_ status: stat) -> FileKind {
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Opens `path` for reading without following a symlink in its last component and without
    /// blocking (a FIFO would otherwise wait for a writer). Returns the descriptor or `errno`.
    static func openForReading(_ path: String, directory: Bool) -> Result<Int32, PosixError> {
        var flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
        if directory { flags |= O_DIRECTORY }
        let descriptor = open(path, flags)
        return descriptor >= 0 ? .success(descriptor) : .failure(PosixError(code: errno))
    }

    /// Up to `count` bytes from `offset`, fewer at the end of the file. Reads in chunks, so the
    /// memory used follows the file rather than `count`.
    static func read(_ descriptor: Int32, offset: Int, count: Int) -> Result<[UInt8], PosixError> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(1, min(count, 65_536)))
        while bytes.count < count {
            let wanted = min(chunk.count, count - bytes.count)
            let position = off_t(offset + bytes.count)
            let result = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, position) }
            if result < 0 {
                if errno == EINTR { continue }
                return .failure(PosixError(code: errno))
            }
            if result == 0 { break }
            bytes.append(contentsOf: chunk[0..<result])
        }
        return .success(bytes)
    }
}

/// The kinds of file the tools tell apart.
enum FileKind: String, Sendable, Encodable {
    case file
    case directory
    case symlink
    /// FIFOs, sockets and devices: never read.
    case other
}

/// A failed system call's `errno`.
struct PosixError: Error, Sendable, Equatable {
    var code: Int32

    var isPermissionDenied: Bool { code == EACCES || code == EPERM }
}
