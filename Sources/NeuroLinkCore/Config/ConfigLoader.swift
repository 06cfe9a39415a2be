import Foundation
import NeuroLinkHTTP
import NeuroLinkProviders
import Yams

/// Builds a ``DaemonConfig`` from a YAML file (when there is one), then applies `NEUROLINK_*`
/// environment overrides. Without a file, providers come from well-known environment variables.
public struct ConfigLoader: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The process environment; holds credentials, so it never appears in any description.
    public var environment: [String: String]

    public var description: String { "ConfigLoader" }
    public var debugDescription: String { description }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The file read when `--config` is not given.
    public func defaultPath(isRoot: Bool = geteuid() == 0) -> String {
        if isRoot { return "/etc/neurolink/neurolinkd.yaml" }
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/neurolink/neurolinkd.yaml"
    }

    /// Loads `path`; with `path == nil`, the default file if it exists, else the environment alone.
    public func load(path: String?) throws(ConfigError) -> DaemonConfig {
        var config: DaemonConfig
        if let path {
            config = try loadFile(path)
        } else if FileManager.default.fileExists(atPath: defaultPath()) {
            config = try loadFile(defaultPath())
        } else {
            config = DaemonConfig()
            config.providers = environmentProviders()
        }
        try applyOverrides(&config)
        try validate(config)
        return config
    }

    func loadFile(_ path: String) throws(ConfigError) -> DaemonConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, message: "cannot read the file (\(Self.reason(error)))")
        }
        let config = try parse(text, file: path)
        if let index = config.providers.firstIndex(where: { $0.credentialSource == .inline }) {
            try ConfigFilePermissions.checkPrivate(path, secretKey: "providers[\(index)].api_key")
        }
        return config
    }

    /// `$CREDENTIALS_DIRECTORY` (systemd credentials), when set.
    var credentials: CredentialsDirectory? { CredentialsDirectory(environment: environment) }

    /// Parses YAML text; `file` only names the source in errors and resolves relative paths.
    public func parse(_ text: String, file: String?) throws(ConfigError) -> DaemonConfig {
        let root: Node?
        // The basic resolver: Yams's default one compiles seven ICU regular expressions (three
        // milliseconds of the daemon's start-up) to tag plain scalars by their spelling, which the
        // reader never asks for: it reads each scalar as the type its key expects, and Yams reads
        // those the same whichever resolver composed the node (YAMLScalarsTests).
        do { root = try Yams.compose(yaml: text, .basic) } catch {
            throw Self.syntaxError(error, file: file)
        }
        var config = DaemonConfig()
        config.sourcePath = file
        guard let root, !YAMLReader(file: file).isNull(root) else { return config }
        let reader = YAMLReader(file: file)
        let top = try reader.mapping(
            root,
            "",
            allowed: [
                "server", "logging", "timeouts", "defaults", "providers", "routing", "pools", "rate_limits", "limits",
                "analytics", "pricing", "metrics", "alerts", "evaluation", "cache", "security", "tools", "memory",
                "http",
            ]
        )
        if let node = top["server"] { config.server = try parseServer(node, reader) }
        if let node = top["limits"] { config.limits = try parseLimits(node, reader) }
        if let node = top["analytics"] { config.analytics = try parseAnalytics(node, reader) }
        if let node = top["metrics"] { config.metrics = try parseMetrics(node, reader) }
        if let node = top["alerts"] { config.alerts = try parseAlerts(node, reader) }
        if let node = top["pricing"], !reader.isNull(node) { config.pricing = try parsePricing(node, reader) }
        if let node = top["logging"] {
            let map = try reader.mapping(node, "logging", allowed: ["level"])
            if let level = map["level"] {
                let value = try reader.string(level, "logging.level")
                guard DaemonConfig.Logging.levels.contains(value) else {
                    throw reader.error(
                        level,
                        "logging.level",
                        "must be one of \(DaemonConfig.Logging.levels.joined(separator: ", "))"
                    )
                }
                config.logging.level = value
            }
        }
        if let node = top["timeouts"] {
            config.timeouts = try parseTimeouts(node, "timeouts", reader, base: config.timeouts)
        }
        if let node = top["defaults"] { config.defaults = try parseDefaults(node, reader) }
        if let node = top["providers"], !reader.isNull(node) {
            let list = try reader.sequence(node, "providers")
            var seen: [String: Int] = [:]
            for (index, item) in list.enumerated() {
                let provider = try parseProvider(item, "providers[\(index)]", reader, base: config.timeouts, file: file)
                if let first = seen[provider.name] {
                    throw reader.error(
                        item,
                        "providers[\(index)].name",
                        "\(YAMLReader.shown(provider.name)) is already used by providers[\(first)]"
                    )
                }
                seen[provider.name] = index
                config.providers.append(provider)
            }
        }
        if let node = top["routing"] { config.routing = try parseRouting(node, reader) }
        if let node = top["pools"] {
            config.pools = try parsePools(node, reader, providers: config.providers, timeouts: config.timeouts)
        }
        if let node = top["rate_limits"] {
            config.rateLimits = try parseRateLimits(node, reader, providers: config.providers)
        }
        if let node = top["cache"] { config.cache = try parseCache(node, reader, providers: config.providers) }
        if let node = top["tools"] { config.tools = try parseTools(node, reader) }
        if let node = top["memory"] { config.memory = try parseMemory(node, reader) }
        if let node = top["http"] { config.http = try parseHTTPFront(node, reader) }
        if let node = top["security"] {
            config.security = try parseSecurity(node, reader, providers: config.providers, pools: config.pools)
        }
        if let node = top["evaluation"] {
            config.evaluation = try parseEvaluation(node, reader, providers: config.providers, pools: config.pools)
        }
        if let pool = config.routing.defaultPool, !config.pools.contains(where: { $0.name == pool }) {
            throw reader.error(
                top["routing"],
                "routing.default_pool",
                "\(YAMLReader.shown(pool)) is not a configured pool"
            )
        }
        if config.defaults.provider != "auto",
            !config.providers.contains(where: { $0.name == config.defaults.provider }),
            !config.pools.contains(where: { $0.name == config.defaults.provider })
        {
            let node = top["defaults"].flatMap { defaults -> Node? in
                guard case .mapping(let mapping) = defaults else { return nil }
                return mapping.first { $0.key.string == "provider" }?.value
            }
            throw reader.error(
                node ?? top["defaults"],
                "defaults.provider",
                "\(YAMLReader.shown(config.defaults.provider)) is not a configured provider (configured: \(config.providers.map(\.name).joined(separator: ", ")))"
            )
        }
        return config
    }

    func parseTimeouts(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        base: DaemonConfig.Timeouts
    )
        throws(ConfigError) -> DaemonConfig.Timeouts
    {
        var timeouts = base
        let map = try reader.mapping(node, key, allowed: ["connect_ms", "first_chunk_ms", "idle_ms", "total_ms"])
        let range = 0...86_400_000
        if let n = map["connect_ms"] { timeouts.connectMs = try reader.int(n, "\(key).connect_ms", range: range) }
        if let n = map["first_chunk_ms"] {
            timeouts.firstChunkMs = try reader.int(n, "\(key).first_chunk_ms", range: range)
        }
        if let n = map["idle_ms"] { timeouts.idleMs = try reader.int(n, "\(key).idle_ms", range: range) }
        if let n = map["total_ms"] { timeouts.totalMs = try reader.int(n, "\(key).total_ms", range: range) }
        return timeouts
    }

    private func parseDefaults(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Defaults {
        var defaults = DaemonConfig.Defaults()
        let map = try reader.mapping(node, "defaults", allowed: ["provider", "model", "max_tokens", "temperature"])
        if let n = map["provider"] { defaults.provider = try reader.string(n, "defaults.provider") }
        if let n = map["model"] { defaults.model = try reader.string(n, "defaults.model") }
        if let n = map["max_tokens"] {
            defaults.maxTokens =
                reader.isNull(n) ? nil : try reader.int(n, "defaults.max_tokens", range: 1...10_000_000)
        }
        if let n = map["temperature"] {
            defaults.temperature = reader.isNull(n) ? nil : try reader.double(n, "defaults.temperature", range: 0...2)
        }
        return defaults
    }

    private func parseProvider(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        base: DaemonConfig.Timeouts,
        file: String?
    )
        throws(ConfigError) -> ProviderConfig
    {
        let map = try reader.mapping(
            node,
            key,
            allowed: Set(
                [
                    "name", "type", "base_url", "api_key_env", "api_key_file", "api_key", "api_key_credential",
                    "default_model",
                    "headers", "timeouts", "api_version", "deployment", "options", "region", "aws_profile",
                    "token_command", "token_command_timeout_ms", AnthropicStructuredOutput.optionKey,
                ] + Self.typeSpecificStringKeys
            )
        )
        guard let nameNode = map["name"] else { throw reader.error(node, "\(key).name", "is required") }
        let name = try reader.string(nameNode, "\(key).name")
        guard name != "auto", name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw reader.error(
                nameNode,
                "\(key).name",
                "must use letters, digits, '-', '_' or '.', and cannot be \"auto\""
            )
        }
        guard let typeNode = map["type"] else { throw reader.error(node, "\(key).type", "is required") }
        let typeName = try reader.string(typeNode, "\(key).type")
        let preset = ProviderCatalog.preset(named: typeName)
        guard let type = ProviderType(rawValue: typeName) ?? (preset != nil ? .openaiCompatible : nil) else {
            let known = ProviderType.allCases.map(\.rawValue) + ProviderCatalog.presets.map(\.name)
            throw reader.error(
                typeNode,
                "\(key).type",
                "unknown provider type \(YAMLReader.shown(typeName)) (expected: \(known.joined(separator: ", ")))"
            )
        }
        var baseURL =
            preset.map { preset in
                preset.baseURLEnvironment.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                    ?? preset.baseURL
            }
            ?? type.defaultBaseURL
        if let n = map["base_url"] {
            let url = try reader.string(n, "\(key).base_url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                throw reader.error(n, "\(key).base_url", "must be an http:// or https:// URL")
            }
            baseURL = url
        }
        // Bedrock's and SageMaker's default base URLs depend on the region, Vertex's on the
        // location; the type's `complete…` function fills them in.
        guard let baseURL = baseURL ?? (type.derivesBaseURL ? "" : nil) else {
            throw reader.error(node, "\(key).base_url", "is required for type \(typeName)")
        }

        let credentialKeys = ["api_key_env", "api_key_file", "api_key", "api_key_credential"].filter { map[$0] != nil }
        guard credentialKeys.count <= 1 else {
            throw reader.error(
                map[credentialKeys[1]],
                "\(key).\(credentialKeys[1])",
                "give only one of api_key_env, api_key_file, api_key, api_key_credential"
            )
        }
        var source = CredentialSource.none
        var apiKey: Secret?
        if let n = map["api_key_env"] {
            let variable = try reader.string(n, "\(key).api_key_env")
            source = .environment(variable)
            apiKey = environment[variable].flatMap { $0.isEmpty ? nil : Secret($0) }
        } else if let n = map["api_key_file"] {
            var path = try reader.string(n, "\(key).api_key_file")
            if !path.hasPrefix("/"), let file {
                // Relative to the config file's directory ("." for a bare file name).
                let directory = (file as NSString).deletingLastPathComponent
                path = (directory.isEmpty ? "." : directory) + "/" + path
            }
            source = .file(path)
            do {
                let value = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines
                )
                guard !value.isEmpty else { throw reader.error(n, "\(key).api_key_file", "\(path) is empty") }
                apiKey = Secret(value)
            } catch let error as ConfigError {
                throw error
            } catch {
                throw reader.error(n, "\(key).api_key_file", "cannot read \(path) (\(Self.reason(error)))")
            }
        } else if let n = map["api_key"] {
            source = .inline
            apiKey = Secret(try reader.string(n, "\(key).api_key"))
        } else if let n = map["api_key_credential"] {
            let credential = try reader.string(n, "\(key).api_key_credential")
            guard CredentialsDirectory.isValidName(credential) else {
                throw reader.error(
                    n,
                    "\(key).api_key_credential",
                    "must be a credential name (no \"/\", not \".\" or \"..\")"
                )
            }
            source = .credential(credential)
            apiKey = try CredentialsDirectory.secret(credential, in: credentials) {
                reader.error(n, "\(key).api_key_credential", $0)
            }
        } else if let implicit = try CredentialsDirectory.secret(
            CredentialsDirectory.implicitName(forProvider: name),
            in: credentials,
            onError: { reader.error(nameNode, "\(key).name", $0) }
        ) {
            // No credential key: a systemd credential named after the provider comes first.
            source = .credential(CredentialsDirectory.implicitName(forProvider: name))
            apiKey = implicit
        } else {
            // No credential key: the variable users already have for this type or preset.
            let candidates = preset.map { $0.keyEnvironment.map { [$0] } ?? [] } ?? type.defaultKeyEnvironment
            if let variable = candidates.first(where: { environment[$0]?.isEmpty == false }) ?? candidates.first {
                source = .environment(variable)
                apiKey = environment[variable].flatMap { $0.isEmpty ? nil : Secret($0) }
            }
        }
        var options: [String: String] = [:]
        if let n = map["options"] {
            guard case .mapping(let mapping) = n else {
                throw reader.error(n, "\(key).options", "expected a mapping of option names to values")
            }
            for (k, v) in mapping {
                let optionName = try reader.string(k, "\(key).options")
                options[optionName] = try reader.string(v, "\(key).options.\(optionName)")
            }
        }
        for option in ["api_version", "deployment", "region", "aws_profile", AnthropicStructuredOutput.optionKey]
            + Self.typeSpecificStringKeys
        {
            if let n = map[option] { options[option] = try reader.string(n, "\(key).\(option)") }
        }
        try checkStructuredOutput(
            options,
            type: type,
            node: map[AnthropicStructuredOutput.optionKey] ?? map["options"],
            key: key,
            reader: reader
        )
        var headers: [HTTPHeader] = []
        if let n = map["headers"] {
            guard case .mapping(let mapping) = n else {
                throw reader.error(n, "\(key).headers", "expected a mapping of header names to values")
            }
            for (k, v) in mapping {
                let headerName = try reader.string(k, "\(key).headers")
                // Not named in the error: a line such as `Authorization: Bearer sk-…:` makes a key of the secret.
                guard Self.isHeaderName(headerName) else {
                    throw reader.error(k, "\(key).headers", "a header name is not a valid HTTP field name")
                }
                headers.append(HTTPHeader(headerName, try reader.string(v, "\(key).headers.\(headerName)")))
            }
        }
        var provider = ProviderConfig(
            name: name,
            type: type,
            baseURL: baseURL,
            credentialSource: source,
            apiKey: apiKey,
            defaultModel: try map["default_model"].map { node throws(ConfigError) in
                try reader.string(node, "\(key).default_model")
            },
            headers: headers,
            timeouts: try map["timeouts"].map { node throws(ConfigError) in
                try parseTimeouts(node, "\(key).timeouts", reader, base: base)
            },
            options: options,
            preset: preset?.name
        )
        switch type {
        // A request that names no model goes to the configured deployment, as in environment-only mode.
        case .azure where provider.defaultModel == nil: provider.defaultModel = options["deployment"]
        case .bedrock: try completeBedrock(&provider, node: node, key: key, reader: reader)
        case .vertex: try completeVertex(&provider, node: node, key: key, reader: reader, file: file)
        case .sagemaker: try completeSageMaker(&provider, node: node, key: key, reader: reader)
        default: break
        }
        return provider
    }

    /// An RFC 9110 field name: one or more `tchar`s.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
            }
    }

    /// `structured_output` (key or option): `auto`, `native` or `instruction`, for type `anthropic` only.
    private func checkStructuredOutput(
        _ options: [String: String],
        type: ProviderType,
        node: Node?,
        key: String,
        reader: YAMLReader
    ) throws(ConfigError) {
        guard let mode = options[AnthropicStructuredOutput.optionKey] else { return }
        let path = "\(key).\(AnthropicStructuredOutput.optionKey)"
        guard type == .anthropic else { throw reader.error(node, path, "is read only by type anthropic") }
        guard AnthropicStructuredOutput(rawValue: mode) != nil else {
            let modes = AnthropicStructuredOutput.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(node, path, "must be one of \(modes)")
        }
    }

    /// Provider keys whose string values go to `options` for the types that read them: Vertex
    /// (`project` … `token_uri`), SageMaker (`endpoint_name` … `model_as`) and Bedrock (`models_base_url`).
    static let typeSpecificStringKeys = [
        "project", "location", "credentials_file", "token_uri",
        "endpoint_name", "container", "target_model", "target_variant", "inference_component", "model_as",
        "models_base_url",
    ]

    /// Providers for the credentials found in the environment, in the documented `auto` order.
    func environmentProviders() -> [ProviderConfig] {
        var providers: [ProviderConfig] = []
        if let (source, key) = environmentCredential(provider: "openai", variable: "OPENAI_API_KEY") {
            providers.append(
                ProviderConfig(
                    name: "openai",
                    type: .openai,
                    baseURL: nonEmpty("OPENAI_BASE_URL") ?? "https://api.openai.com/v1",
                    credentialSource: source,
                    apiKey: key,
                    defaultModel: nonEmpty("OPENAI_MODEL") ?? "gpt-4o-mini"
                )
            )
        }
        if let (source, key) = environmentCredential(provider: "anthropic", variable: "ANTHROPIC_API_KEY") {
            providers.append(
                ProviderConfig(
                    name: "anthropic",
                    type: .anthropic,
                    baseURL: nonEmpty("ANTHROPIC_BASE_URL") ?? "https://api.anthropic.com/v1",
                    credentialSource: source,
                    apiKey: key,
                    defaultModel: nonEmpty("ANTHROPIC_MODEL") ?? "claude-3-5-haiku-latest"
                )
            )
        }
        if let variable = ProviderCatalog.googleKeyEnvironment.first(where: { nonEmpty($0) != nil }),
            let (source, key) = environmentCredential(provider: "google-ai", variable: variable)
        {
            providers.append(
                ProviderConfig(
                    name: "google-ai",
                    type: .googleAI,
                    baseURL: nonEmpty("GOOGLE_AI_BASE_URL") ?? "https://generativelanguage.googleapis.com/v1beta",
                    credentialSource: source,
                    apiKey: key,
                    defaultModel: nonEmpty("GOOGLE_AI_MODEL") ?? "gemini-2.0-flash"
                )
            )
        }
        if let vertex = environmentVertexProvider() { providers.append(vertex) }
        if let endpoint = nonEmpty("AZURE_OPENAI_ENDPOINT"),
            let (source, key) = environmentCredential(provider: "azure", variable: "AZURE_OPENAI_API_KEY")
        {
            var options: [String: String] = [:]
            options["deployment"] = nonEmpty("AZURE_OPENAI_DEPLOYMENT")
            options["api_version"] = nonEmpty("AZURE_OPENAI_API_VERSION")
            providers.append(
                ProviderConfig(
                    name: "azure",
                    type: .azure,
                    baseURL: endpoint,
                    credentialSource: source,
                    apiKey: key,
                    defaultModel: options["deployment"],
                    options: options
                )
            )
        }
        if let bedrock = environmentBedrockProvider() { providers.append(bedrock) }
        if let sagemaker = environmentSageMakerProvider() { providers.append(sagemaker) }
        for preset in ProviderCatalog.presets {
            // Hosted presets appear when their key is set; local ones when their base URL is.
            let key = preset.keyEnvironment.flatMap { environmentCredential(provider: preset.name, variable: $0) }
            let url = preset.baseURLEnvironment.flatMap(nonEmpty)
            guard key != nil || url != nil else { continue }
            providers.append(
                ProviderConfig(
                    name: preset.name,
                    type: .openaiCompatible,
                    baseURL: url ?? preset.baseURL,
                    credentialSource: key?.source ?? .none,
                    apiKey: key?.key,
                    options: [:],
                    preset: preset.name
                )
            )
        }
        if let url = environment["NEUROLINK_OPENAI_COMPATIBLE_BASE_URL"], !url.isEmpty {
            let credential = environmentCredential(
                provider: "openai-compatible",
                variable: "NEUROLINK_OPENAI_COMPATIBLE_API_KEY"
            )
            providers.append(
                ProviderConfig(
                    name: "openai-compatible",
                    type: .openaiCompatible,
                    baseURL: url,
                    credentialSource: credential?.source ?? .none,
                    apiKey: credential?.key,
                    defaultModel: nonEmpty("NEUROLINK_OPENAI_COMPATIBLE_MODEL")
                )
            )
        }
        if let host = nonEmpty("OLLAMA_BASE_URL") ?? nonEmpty("OLLAMA_HOST") {
            // OLLAMA_HOST is often written without a scheme ("127.0.0.1:11434").
            let url = host.hasPrefix("http://") || host.hasPrefix("https://") ? host : "http://" + host
            providers.append(
                ProviderConfig(name: "ollama", type: .ollama, baseURL: url, defaultModel: nonEmpty("OLLAMA_MODEL"))
            )
        }
        return providers
    }

    /// Environment-only mode's key for `provider`: the systemd credential `<provider>.api_key` if
    /// readable, else the non-empty `variable`.
    private func environmentCredential(provider: String, variable: String) -> (source: CredentialSource, key: Secret)? {
        let name = CredentialsDirectory.implicitName(forProvider: provider)
        if case .found(let secret) = credentials?.read(name) { return (.credential(name), secret) }
        guard let value = nonEmpty(variable) else { return nil }
        return (.environment(variable), Secret(value))
    }

    private func nonEmpty(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A YAML syntax error, located at the position libyaml reports.
    ///
    /// Only libyaml's fixed problem text and the position are used: Yams' own description quotes the
    /// offending source line, which may be the line holding an API key.
    static func syntaxError(_ error: any Error, file: String?) -> ConfigError {
        switch error {
        case YamlError.scanner(_, let problem, let mark, _), YamlError.parser(_, let problem, let mark, _),
            YamlError.composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map(YAMLReader.displayKeyPath).joined(separator: ", ")
            return ConfigError(
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                message: "not valid YAML: duplicate key(s): \(keys)"
            )
        case YamlError.reader(let problem, _, _, _):
            return ConfigError(file: file, message: "not valid YAML text: \(problem)")
        default:
            return ConfigError(file: file, message: "not valid YAML")
        }
    }

    func applyOverrides(_ config: inout DaemonConfig) throws(ConfigError) {
        func int(_ name: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigError(
                    key: name,
                    message: "must be an integer between \(range.lowerBound) and \(range.upperBound)"
                )
            }
            return value
        }
        if let socket = environment["NEUROLINK_SOCKET"], !socket.isEmpty { config.server.socketPath = socket }
        if let level = environment["NEUROLINK_LOG_LEVEL"], !level.isEmpty {
            guard DaemonConfig.Logging.levels.contains(level) else {
                throw ConfigError(
                    key: "NEUROLINK_LOG_LEVEL",
                    message: "must be one of \(DaemonConfig.Logging.levels.joined(separator: ", "))"
                )
            }
            config.logging.level = level
        }
        if let provider = environment["NEUROLINK_DEFAULT_PROVIDER"], !provider.isEmpty {
            config.defaults.provider = provider
        }
        if let model = environment["NEUROLINK_DEFAULT_MODEL"], !model.isEmpty { config.defaults.model = model }
        if let value = try int("NEUROLINK_MAX_FRAME_BYTES", 1024...1 << 30) { config.server.maxFrameBytes = value }
        if let value = try int("NEUROLINK_DRAIN_TIMEOUT_MS", 0...3_600_000) { config.server.drainTimeoutMs = value }
    }

    func validate(_ config: DaemonConfig) throws(ConfigError) {
        for provider in config.providers
        where URL(string: provider.baseURL)?.host == nil
            || !(provider.baseURL.hasPrefix("http://") || provider.baseURL.hasPrefix("https://"))
        {
            throw ConfigError(
                file: config.sourcePath,
                key: "provider \(provider.name) base URL",
                message: "is not an http:// or https:// URL with a host (value not shown)"
            )
        }
        if config.defaults.provider != "auto",
            !config.providers.contains(where: { $0.name == config.defaults.provider }),
            !config.pools.contains(where: { $0.name == config.defaults.provider })
        {
            throw ConfigError(
                file: config.sourcePath,
                key: "defaults.provider",
                message: "\(YAMLReader.shown(config.defaults.provider)) is not a configured provider"
            )
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
