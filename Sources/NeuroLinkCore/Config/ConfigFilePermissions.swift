#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The rule that keeps inline secrets private: a configuration file holding an `api_key:` must not
/// be readable by other users.
///
/// Rejected (docs/configuration.md §4.3): readable by everyone (`mode & 0o004`), or readable by its
/// group when that group is neither root's (gid 0) nor the daemon's own group. Owner read access is
/// always fine: the owner wrote the key.
enum ConfigFilePermissions {
    /// Why `mode`/`group` expose the file to other users, or `nil` when they do not.
    static func exposure(mode: UInt32, group: UInt32, daemonGroup: UInt32) -> String? {
        let octal = "0" + String(mode & 0o777, radix: 8)
        if mode & 0o004 != 0 { return "it is readable by every user (mode \(octal))" }
        if mode & 0o040 != 0, group != 0, group != daemonGroup {
            return "it is readable by group \(group), which is neither root's nor the daemon's (mode \(octal))"
        }
        return nil
    }

    /// Throws when the file at `path`, which holds inline secrets, is readable by other users.
    static func checkPrivate(_ path: String, secretKey: String) throws(ConfigError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // Just read successfully; a vanished file has no readers.
        guard let why = exposure(mode: UInt32(info.st_mode), group: UInt32(info.st_gid), daemonGroup: UInt32(getegid()))
        else { return }
        throw ConfigError(
            file: path,
            key: secretKey,
            message:
                "holds an inline API key but \(why); refusing to use it. Run `chmod 600 \(path)` (or 640 with group root), "
                + "or move the key out of the file: api_key_credential (systemd credentials), api_key_file or api_key_env"
        )
    }
}
