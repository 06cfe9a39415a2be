import Foundation

/// An AWS access key pair (and session token, for temporary credentials) used to sign requests.
///
/// The secret parts are ``Secret``s, so neither a description of this value nor of anything
/// holding it can show them; ``source`` says where they came from and is safe to display.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AKIA…`/`ASIA…`). Not secret on its own, and part of every signature.
    public var accessKeyId: String
    public var secretAccessKey: Secret
    /// Present for temporary (STS) credentials; sent as `X-Amz-Security-Token`.
    public var sessionToken: Secret?
    public var source: Source

    /// Where credentials were found.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
        case environment
        /// A profile of the shared credentials file.
        case profile(String)

        /// `aws:env` or `aws:profile:NAME`, as status output shows it.
        public var description: String {
            switch self {
            case .environment: "aws:env"
            case .profile(let name): "aws:profile:\(name)"
            }
        }
    }

    public init(
        accessKeyId: String,
        secretAccessKey: Secret,
        sessionToken: Secret? = nil,
        source: Source = .environment
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String { "AWSCredentials(\(source))" }
    public var debugDescription: String { description }
}

extension AWSCredentials {
    /// Finds credentials the way the AWS CLI does for static keys.
    ///
    /// - An explicit `profile` (the config's `aws_profile`) reads only that profile of the shared
    ///   credentials file: naming a profile is a deliberate choice that environment keys must not override.
    /// - Otherwise `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) win, and then
    ///   the profile `AWS_PROFILE` (or `default`) of `AWS_SHARED_CREDENTIALS_FILE` (or `~/.aws/credentials`).
    ///
    /// SSO, `credential_process`, role assumption and instance metadata are not supported.
    /// - Returns: `nil` when nothing usable is found (including an unreadable file).
    public static func resolve(environment: [String: String], profile: String? = nil) -> AWSCredentials? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if profile == nil, let id = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
            return AWSCredentials(
                accessKeyId: id,
                secretAccessKey: Secret(secret),
                sessionToken: value("AWS_SESSION_TOKEN").map(Secret.init),
                source: .environment
            )
        }
        let name = profile ?? value("AWS_PROFILE") ?? "default"
        guard let text = try? String(contentsOfFile: sharedCredentialsPath(environment: environment), encoding: .utf8),
            let section = AWSSharedCredentialsFile.parse(text)[name],
            let id = section["aws_access_key_id"], !id.isEmpty,
            let secret = section["aws_secret_access_key"], !secret.isEmpty
        else { return nil }
        let token = section["aws_session_token"].flatMap { $0.isEmpty ? nil : Secret($0) }
        return AWSCredentials(
            accessKeyId: id,
            secretAccessKey: Secret(secret),
            sessionToken: token,
            source: .profile(name)
        )
    }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `$HOME/.aws/credentials`.
    public static func sharedCredentialsPath(environment: [String: String]) -> String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty { return path }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.aws/credentials"
    }
}
