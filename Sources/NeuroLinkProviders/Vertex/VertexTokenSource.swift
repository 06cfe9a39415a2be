#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a `vertex` provider's access tokens come from, as configured (see ``VertexSettings``).
enum VertexTokenSource: Sendable {
    case command(TokenCommand)
    case serviceAccount(ServiceAccountTokenSource)

    /// The endpoint's configured source, checked once when the adapter is built; the failure
    /// explains what is missing and is reported by every request.
    static func make(
        _ endpoint: ProviderEndpoint,
        post: TokenEndpointClient.Post?
    ) -> Result<VertexTokenSource, TokenFailure> {
        let options = endpoint.options
        guard let credential = endpoint.apiKey else {
            return .failure(
                TokenFailure(
                    "no credentials configured (token_command, credentials_file or GOOGLE_APPLICATION_CREDENTIALS)"
                )
            )
        }
        switch options[VertexSettings.Key.auth].flatMap(VertexSettings.Auth.init(rawValue:)) {
        case .tokenCommand?:
            guard let words = try? JSONDecoder().decode([String].self, from: Data(credential.value.utf8)),
                !words.isEmpty
            else {
                return .failure(TokenFailure("the token command is not configured correctly"))
            }
            let timeout =
                options[VertexSettings.Key.tokenCommandTimeoutMs].flatMap(Int.init).map { Duration.milliseconds($0) }
                ?? TokenCommand.defaultTimeout
            return .success(.command(TokenCommand(arguments: words, timeout: timeout)))
        case .serviceAccount?:
            guard let email = options[VertexSettings.Key.clientEmail] else {
                return .failure(TokenFailure("the service account has no client_email"))
            }
            guard let post else {
                return .failure(TokenFailure("no HTTP engine is available to reach the token endpoint"))
            }
            let account = VertexServiceAccount(
                clientEmail: email,
                privateKey: credential,
                privateKeyId: options[VertexSettings.Key.privateKeyId],
                tokenURI: options[VertexSettings.Key.tokenURI] ?? VertexServiceAccount.defaultTokenURI,
                projectId: nil
            )
            do {
                return .success(
                    .serviceAccount(
                        try ServiceAccountTokenSource(account: account, tokenURI: account.tokenURI, post: post)
                    )
                )
            } catch {
                return .failure(error)
            }
        case nil:
            return .failure(TokenFailure("no token source configured"))
        }
    }

    /// A new token, as a `Result` for ``AccessTokenCache/Fetch``.
    func fetch(clock: @Sendable () -> Date) async -> Result<AccessToken, TokenFailure> {
        do throws(TokenFailure) {
            switch self {
            case .command(let command): return .success(try await command.fetch(now: clock))
            case .serviceAccount(let source): return .success(try await source.fetch(now: clock()))
            }
        } catch {
            return .failure(error)
        }
    }
}
