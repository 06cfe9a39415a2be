#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the executable of a stdio server the way a shell would, but in the child's `PATH`.
enum CommandLookup {
    /// The `PATH` children get when their configuration sets none: the daemon's own environment
    /// stays private.
    static let minimalPath = "/usr/local/bin:/usr/bin:/bin"

    /// The child's environment: `environment` laid over the minimal `PATH`.
    static func environment(_ environment: [String: String]) -> [String: String] {
        ["PATH": minimalPath].merging(environment) { _, configured in configured }
    }

    /// The path to execute, or nil when `command` is not an executable file. A command with a `/`
    /// is taken as a path; others are searched in `searchPath`.
    static func resolve(_ command: String, searchPath: String) -> String? {
        guard !command.isEmpty else { return nil }
        if command.contains("/") { return isExecutableFile(command) ? command : nil }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
