import Foundation

/// The daemon's own files under its state directory (the analytics and cache databases).
public enum StateFiles {
    /// Creates the directory that will hold `path` (mode 0700) when it does not exist.
    public static func prepareDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        try FileManager.default.createDirectory(
            atPath: directory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
    }
}
