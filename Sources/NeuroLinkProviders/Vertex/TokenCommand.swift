import Foundation
import NeuroLinkHTTP

/// Obtains access tokens by running the configured `token_command` (e.g. `gcloud auth
/// print-access-token`) and reading what it prints.
///
/// The output is either the bare token, or a token endpoint's JSON (`{"access_token",
/// "expires_in"}`, as the metadata server's token URL prints it through `curl`). A bare token's
/// lifetime is unknown, so it is reused for ``bareTokenReuse`` only; a rejected token is dropped
/// earlier (see ``VertexAdapter/error(status:headers:body:)``).
struct TokenCommand: Sendable {
    static let defaultTimeout: Duration = .seconds(30)
    /// How long a bare token is reused: tokens printed by `gcloud` have at least a few minutes
    /// left, since it refreshes them before that.
    static let bareTokenReuse: TimeInterval = 120

    /// The program's absolute path, then its arguments.
    let arguments: [String]
    let timeout: Duration

    func fetch(now: @Sendable () -> Date) async throws(TokenFailure) -> AccessToken {
        let program = (arguments.first as NSString?)?.lastPathComponent ?? "?"
        switch await ChildProcess.run(arguments, timeout: timeout) {
        case .launchFailed(let reason):
            throw TokenFailure("could not run the token command \(program) (\(reason))")
        case .timedOut:
            throw TokenFailure(
                "the token command \(program) did not finish within \(timeout.milliseconds) ms",
                retryable: true
            )
        case .outputTooLarge:
            throw TokenFailure("the token command \(program) printed more than 64 KiB")
        case .exited(let status, let signalled, let stdout, let stderr):
            guard status == 0, !signalled else {
                throw TokenFailure(
                    "the token command \(program) \(signalled ? "was killed by signal" : "exited with status") \(status)"
                        + (Self.firstLine(stderr).map { ": \($0)" } ?? "")
                )
            }
            let text = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("{") { return try AccessToken.parse(Array(text.utf8), now: now()) }
            guard AccessToken.isHeaderSafe(text) else {
                throw TokenFailure("the token command \(program) did not print a single token")
            }
            return AccessToken(value: Secret(text), lifetime: 2 * Self.bareTokenReuse, now: now())
        }
    }

    /// The first non-empty line of the command's error output, shortened and scrubbed of anything
    /// that looks like a credential: it is the most useful hint (`gcloud` says "not logged in").
    static func firstLine(_ bytes: [UInt8]) -> String? {
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        return line.map { Redaction.scrub(String($0.prefix(200))) }
    }
}
