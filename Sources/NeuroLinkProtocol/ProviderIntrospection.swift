/// Params of `providers.list`.
public struct ProvidersListRequest: Sendable, Hashable, Codable {
    /// Probe every provider with one cheap authenticated request (its model listing).
    public var check: Bool?

    public init(check: Bool? = nil) {
        self.check = check
    }

    /// Reads and validates `params`; absent or `null` params mean no check.
    public init(json: JSONValue?) throws(RPCError) {
        let params = try IntrospectionParams.object(json, known: ["check"])
        switch params["check"] {
        case nil, .null?: check = nil
        case .bool(let value)?: check = value
        case let other?: throw RPCError(.invalidParams, "params.check must be a boolean, not \(other.typeName)")
        }
    }
}

/// Result of `providers.list`: the configured providers, in configuration order. Never carries a credential.
public struct ProvidersListResult: Sendable, Hashable, Codable {
    public var providers: [ProviderInfo]

    public init(providers: [ProviderInfo]) {
        self.providers = providers
    }
}

/// One configured provider as `providers.list` shows it.
public struct ProviderInfo: Sendable, Hashable, Codable {
    public var name: String
    /// The wire format (`openai`, `openai-compatible`, `azure`, `anthropic`, `google-ai`, `ollama`, ...).
    public var type: String
    /// Host (and port) of the base URL; never path, query or userinfo.
    public var host: String
    /// Where the credential comes from (`env:NAME`, `file:PATH`, ...). Never the value.
    public var credentialSource: String
    public var hasCredentials: Bool
    public var defaultModel: String?
    /// The OpenAI-compatible preset the provider was configured from (`groq`, `mistral`, ...).
    public var preset: String?
    /// The outcome of the probe; only with `check: true`.
    public var check: ProviderCheck?

    public init(
        name: String,
        type: String,
        host: String,
        credentialSource: String,
        hasCredentials: Bool,
        defaultModel: String?,
        preset: String? = nil,
        check: ProviderCheck? = nil
    ) {
        self.name = name
        self.type = type
        self.host = host
        self.credentialSource = credentialSource
        self.hasCredentials = hasCredentials
        self.defaultModel = defaultModel
        self.preset = preset
        self.check = check
    }
}

/// The outcome of probing one provider.
public struct ProviderCheck: Sendable, Hashable, Codable {
    /// The provider answered the probe with a 2xx status.
    public var ok: Bool
    /// Milliseconds from starting the probe to its end; `0` when no request was made.
    public var latencyMs: Double
    /// The HTTP status, when a response head arrived.
    public var status: Int?
    public var error: ProviderProblem?

    public init(ok: Bool, latencyMs: Double, status: Int? = nil, error: ProviderProblem? = nil) {
        self.ok = ok
        self.latencyMs = latencyMs
        self.status = status
        self.error = error
    }
}

/// Why a provider could not be probed or listed: an error type (see "Errors" in the protocol
/// document, plus `unsupported`) and a message scrubbed of credentials.
public struct ProviderProblem: Sendable, Hashable, Codable {
    public var type: String
    public var message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    /// `type` of a provider that has no model-listing endpoint (no request is made).
    public static let unsupportedType = "unsupported"
}

/// Params of `models.list`.
public struct ModelsListRequest: Sendable, Hashable, Codable {
    /// A configured provider name or an alias; `nil` lists every provider.
    public var provider: String?

    public init(provider: String? = nil) {
        self.provider = provider
    }

    /// Reads and validates `params`; absent or `null` params list every provider.
    public init(json: JSONValue?) throws(RPCError) {
        let params = try IntrospectionParams.object(json, known: ["provider"])
        switch params["provider"] {
        case nil, .null?: provider = nil
        case .string(let name)? where !name.isEmpty: provider = name
        case let other?:
            throw RPCError(.invalidParams, "params.provider must be a non-empty string, not \(other.typeName)")
        }
    }
}

/// Result of `models.list`.
public struct ModelsListResult: Sendable, Hashable, Codable {
    public var models: [ModelInfo]
    /// Providers asked for that have no model-listing endpoint; omitted when none.
    public var unsupported: [String]?
    /// Providers that failed while every provider was listed; omitted when none. (A failure of an
    /// explicitly named provider is the error response instead.)
    public var failed: [ProviderFailure]?

    public init(models: [ModelInfo], unsupported: [String]? = nil, failed: [ProviderFailure]? = nil) {
        self.models = models
        self.unsupported = unsupported
        self.failed = failed
    }
}

/// One model a provider offers.
public struct ModelInfo: Sendable, Hashable, Codable {
    /// The configured provider name it was listed by.
    public var provider: String
    /// The id to pass as `model`.
    public var id: String
    /// The owner the provider reports (OpenAI-style lists), when it reports one.
    public var ownedBy: String?
    /// The human-readable name the provider reports (Anthropic, Gemini), when it reports one.
    public var displayName: String?

    public init(provider: String, id: String, ownedBy: String? = nil, displayName: String? = nil) {
        self.provider = provider
        self.id = id
        self.ownedBy = ownedBy
        self.displayName = displayName
    }
}

/// A provider whose listing failed, and why.
public struct ProviderFailure: Sendable, Hashable, Codable {
    public var provider: String
    public var error: ProviderProblem

    public init(provider: String, error: ProviderProblem) {
        self.provider = provider
        self.error = error
    }
}

/// Shared params checks of the introspection methods.
enum IntrospectionParams {
    /// The params object; absent or `null` params count as `{}`. Unknown members are rejected
    /// like `stream`'s, so a misspelt option is not silently ignored.
    static func object(_ json: JSONValue?, known: Set<String>) throws(RPCError) -> [String: JSONValue] {
        guard let json, json != .null else { return [:] }
        guard let params = json.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in params.keys.sorted() where !known.contains(key) {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        return params
    }
}
