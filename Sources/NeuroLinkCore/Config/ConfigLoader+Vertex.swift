import Foundation
import NeuroLinkProviders
import Yams

/// Vertex AI's settings: a project and location instead of a base URL, and an OAuth token source
/// (a command, or a service-account key file) instead of an API key. See ``VertexSettings`` for
/// where the adapter finds them.
extension ConfigLoader {
    /// The model environment-only mode uses for Vertex when `GOOGLE_VERTEX_MODEL` is not set.
    static let defaultVertexModel = "gemini-2.0-flash"

    /// Completes a parsed `type: vertex` entry.
    ///
    /// - Token source, in this order: `token_command` (a string split into words without a shell,
    ///   or a list of words; the program is looked up in `PATH` now), else the service-account key
    ///   file `credentials_file` (relative to the config file) or `GOOGLE_APPLICATION_CREDENTIALS`.
    ///   A key file that cannot be read or used is a configuration error; without any source the
    ///   provider stays configured but unusable.
    /// - `project`, else `GOOGLE_CLOUD_PROJECT`/`GOOGLE_VERTEX_PROJECT`, else the key file's
    ///   `project_id`: required. `location`, else `GOOGLE_CLOUD_LOCATION`/`GOOGLE_VERTEX_LOCATION`,
    ///   else `us-central1`. Without `base_url`, the location's public endpoint.
    func completeVertex(
        _ provider: inout ProviderConfig,
        node: Node,
        key: String,
        reader: YAMLReader,
        file: String?
    ) throws(ConfigError) {
        try rejectAPIKeys(
            node,
            key: key,
            reader: reader,
            because: "type vertex authenticates with token_command or a "
                + "service-account key file (credentials_file, GOOGLE_APPLICATION_CREDENTIALS), not an API key"
        )
        let map = entryMapping(node)
        let directory = file.map { ($0 as NSString).deletingLastPathComponent }.map { $0.isEmpty ? "." : $0 }
        provider.apiKey = nil
        provider.options[VertexSettings.Key.auth] = nil
        var account: VertexServiceAccount?
        var accountPath = ""
        if let commandNode = map["token_command"] {
            if let other = map["credentials_file"] {
                throw reader.error(other, "\(key).credentials_file", "give only one of token_command, credentials_file")
            }
            try configureTokenCommand(&provider, commandNode, map: map, key: key, reader: reader, directory: directory)
        } else if let path = provider.options["credentials_file"] {
            let resolved = path.hasPrefix("/") || directory == nil ? path : directory.map { $0 + "/" + path } ?? path
            account = try serviceAccount(at: resolved) {
                reader.error(map["credentials_file"], "\(key).credentials_file", $0)
            }
            accountPath = resolved
        } else if let path = nonEmptyVariable("GOOGLE_APPLICATION_CREDENTIALS") {
            account = try serviceAccount(at: path) {
                ConfigError(file: file, key: "GOOGLE_APPLICATION_CREDENTIALS", message: $0)
            }
            accountPath = path
        } else {
            provider.credentialSource = .environment("GOOGLE_APPLICATION_CREDENTIALS")
        }
        if let account { Self.store(account, path: accountPath, in: &provider) }
        provider.options["credentials_file"] = nil
        if let uri = provider.options[VertexSettings.Key.tokenURI] {
            guard Self.isHTTPURL(uri) else {
                throw reader.error(map["token_uri"] ?? node, "\(key).token_uri", "must be an http:// or https:// URL")
            }
        } else if let account {
            provider.options[VertexSettings.Key.tokenURI] = account.tokenURI
        }
        guard
            let project = provider.options[VertexSettings.Key.project] ?? nonEmptyVariable("GOOGLE_CLOUD_PROJECT")
                ?? nonEmptyVariable("GOOGLE_VERTEX_PROJECT") ?? account?.projectId
        else {
            throw reader.error(node, "\(key).project", "is required for type vertex (or set GOOGLE_CLOUD_PROJECT)")
        }
        guard VertexSettings.isValidProject(project) else {
            throw reader.error(
                map["project"] ?? node,
                "\(key).project",
                "\(YAMLReader.shown(project)) is not a Google Cloud project id"
            )
        }
        let location =
            provider.options[VertexSettings.Key.location] ?? nonEmptyVariable("GOOGLE_CLOUD_LOCATION")
            ?? nonEmptyVariable("GOOGLE_VERTEX_LOCATION") ?? VertexSettings.defaultLocation
        guard VertexSettings.isValidLocation(location) else {
            throw reader.error(
                map["location"] ?? node,
                "\(key).location",
                "\(YAMLReader.shown(location)) is not a Vertex AI location such as us-central1"
            )
        }
        provider.options[VertexSettings.Key.project] = project
        provider.options[VertexSettings.Key.location] = location
        if provider.baseURL.isEmpty { provider.baseURL = VertexSettings.baseURL(location: location) }
    }

    /// `token_command`: the words, the program resolved to a path, and the timeout. The words are
    /// the credential (they may hold secrets of their own); the source shown is the program.
    private func configureTokenCommand(
        _ provider: inout ProviderConfig,
        _ node: Node,
        map: [String: Node],
        key: String,
        reader: YAMLReader,
        directory: String?
    ) throws(ConfigError) {
        var words: [String]
        if case .sequence = node {
            words = []
            for (index, item) in try reader.sequence(node, "\(key).token_command").enumerated() {
                words.append(try reader.string(item, "\(key).token_command[\(index)]"))
            }
            guard !words.isEmpty else { throw reader.error(node, "\(key).token_command", "is an empty list") }
        } else {
            let line = try reader.string(node, "\(key).token_command")
            do { words = try TokenCommandLine.split(line) } catch {
                throw reader.error(node, "\(key).token_command", error.message)
            }
        }
        // A program not found now is reported by each request, so installing it later only needs a reload.
        words[0] = TokenCommandLine.resolve(words[0], searchPath: environment["PATH"], directory: directory) ?? words[0]
        guard let encoded = try? JSONEncoder().encode(words) else {
            throw reader.error(node, "\(key).token_command", "cannot be stored")
        }
        provider.apiKey = Secret(String(decoding: encoded, as: UTF8.self))
        provider.options[VertexSettings.Key.auth] = VertexSettings.Auth.tokenCommand.rawValue
        provider.credentialSource = .file(words[0])
        if let timeoutNode = map["token_command_timeout_ms"] {
            let timeout = try reader.int(timeoutNode, "\(key).token_command_timeout_ms", range: 100...600_000)
            provider.options[VertexSettings.Key.tokenCommandTimeoutMs] = String(timeout)
        }
    }

    /// Reads and checks a service-account key file; `fail` turns a problem into the error to throw.
    private func serviceAccount(
        at path: String,
        fail: (String) -> ConfigError
    ) throws(ConfigError) -> VertexServiceAccount {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the service-account key file \(path)")
        }
        do { return try VertexServiceAccount.parse(data) } catch {
            throw fail("\(path): \(error.message)")
        }
    }

    /// Puts the key file's settings where ``VertexAdapter`` reads them: the private key is the credential.
    private static func store(_ account: VertexServiceAccount, path: String, in provider: inout ProviderConfig) {
        provider.apiKey = account.privateKey
        provider.credentialSource = .file(path)
        provider.options[VertexSettings.Key.auth] = VertexSettings.Auth.serviceAccount.rawValue
        provider.options[VertexSettings.Key.clientEmail] = account.clientEmail
        provider.options[VertexSettings.Key.privateKeyId] = account.privateKeyId
    }

    /// Environment-only mode's Vertex provider: present when `GOOGLE_APPLICATION_CREDENTIALS` names
    /// a usable service-account key file and `GOOGLE_CLOUD_PROJECT` or `GOOGLE_VERTEX_PROJECT` is set
    /// (the key file alone does not add it: many tools use one). `GOOGLE_CLOUD_LOCATION` or
    /// `GOOGLE_VERTEX_LOCATION` picks the location, `GOOGLE_VERTEX_MODEL` the default model.
    func environmentVertexProvider() -> ProviderConfig? {
        guard let path = nonEmptyVariable("GOOGLE_APPLICATION_CREDENTIALS"),
            let project = nonEmptyVariable("GOOGLE_CLOUD_PROJECT") ?? nonEmptyVariable("GOOGLE_VERTEX_PROJECT"),
            VertexSettings.isValidProject(project),
            let account = try? serviceAccount(at: path, fail: { ConfigError(message: $0) })
        else { return nil }
        let location =
            nonEmptyVariable("GOOGLE_CLOUD_LOCATION") ?? nonEmptyVariable("GOOGLE_VERTEX_LOCATION")
            ?? VertexSettings.defaultLocation
        guard VertexSettings.isValidLocation(location) else { return nil }
        var provider = ProviderConfig(
            name: "vertex",
            type: .vertex,
            baseURL: VertexSettings.baseURL(location: location),
            defaultModel: nonEmptyVariable("GOOGLE_VERTEX_MODEL") ?? Self.defaultVertexModel,
            options: [
                VertexSettings.Key.project: project, VertexSettings.Key.location: location,
                VertexSettings.Key.tokenURI: account.tokenURI,
            ]
        )
        Self.store(account, path: path, in: &provider)
        return provider
    }

    func nonEmptyVariable(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
