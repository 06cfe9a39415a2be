import Foundation
import NeuroLinkProviders

/// Provider secrets passed by systemd's `LoadCredential=` / `LoadCredentialEncrypted=`: one file per
/// credential in `$CREDENTIALS_DIRECTORY`, readable only by the service, never in the environment.
///
/// Naming scheme (docs/configuration.md §4.3): `api_key_credential: NAME` reads the file `NAME`;
/// a provider with no `api_key_*` key reads `<provider name>.api_key` when that file exists.
public struct CredentialsDirectory: Sendable, Hashable {
    /// The directory systemd created for this service.
    public let path: String

    /// The directory named by `CREDENTIALS_DIRECTORY`, or `nil` when the variable is unset or empty.
    public init?(environment: [String: String]) {
        guard let path = environment["CREDENTIALS_DIRECTORY"], !path.isEmpty else { return nil }
        self.path = path
    }

    /// The credential a provider reads when its configuration names none: `<name>.api_key`.
    public static func implicitName(forProvider provider: String) -> String { provider + ".api_key" }

    /// Whether `name` can be a credential name: what systemd accepts for `LoadCredential=` IDs
    /// (a single path component, not `.` or `..`, at most 255 bytes), so it cannot escape the directory.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.utf8.contains(0)
            && name.utf8.count <= 255
    }

    /// The result of looking a credential up.
    public enum Lookup: Sendable, Hashable {
        /// The credential, surrounding whitespace trimmed.
        case found(Secret)
        /// No such file, or it holds only whitespace.
        case missing
        /// The file exists but cannot be read; the reason, never the content.
        case unreadable(String)
    }

    /// Reads credential `name`.
    public func read(_ name: String) -> Lookup {
        guard Self.isValidName(name) else { return .missing }
        let file = path + "/" + name
        guard FileManager.default.fileExists(atPath: file) else { return .missing }
        do {
            let value = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines
            )
            return value.isEmpty ? .missing : .found(Secret(value))
        } catch {
            return .unreadable((error as NSError).localizedDescription)
        }
    }

    /// The secret for `name`, when `directory` exists and holds it; throws for an unreadable file.
    static func secret(
        _ name: String,
        in directory: CredentialsDirectory?,
        onError: (String) -> ConfigError
    )
        throws(ConfigError) -> Secret?
    {
        guard let directory else { return nil }
        switch directory.read(name) {
        case .found(let secret): return secret
        case .missing: return nil
        case .unreadable(let reason): throw onError("cannot read credential \(name) in \(directory.path) (\(reason))")
        }
    }
}
