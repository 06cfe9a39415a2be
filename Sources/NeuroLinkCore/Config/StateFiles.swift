import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's own files under its state directory (the analytics and cache databases).
public enum StateFiles {
    /// Creates the directory that will hold `path` (mode 0700) when it does not exist.
    public static func prepareDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            // The databases open in parallel: another one may have created it since the check.
            guard isDirectory(directory) else { throw error }
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
