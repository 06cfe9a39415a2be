import NeuroLinkSecurity

extension DaemonConfig {
    /// `security:` (docs/configuration.md, "security"; docs/security.md): input limits,
    /// prompt-injection detection, PII and secret redaction and content filters for every tenant,
    /// the access policies that narrow them per tenant, and the audit log.
    public struct Security: Sendable, Equatable {
        /// The preset the defaults came from, before the file's own keys.
        public var preset = Preset.standard
        /// What every tenant gets unless a policy says otherwise.
        public var rules = SecurityRules()
        /// Tenants' policies, first match wins; a tenant no policy matches gets ``rules``.
        public var policies: [SecurityPolicy] = []
        /// Blocklisted terms and patterns, applied to every answer.
        public var filters = ContentFilterRules.none
        public var audit = Audit()
        public init() {}

        /// `security.preset`: a starting point; every key the file sets replaces the preset's.
        public enum Preset: String, Sendable, Hashable, CaseIterable {
            /// Limits, injection flagged (not blocked), no redaction.
            case standard
            /// Injection blocked, secrets and PII redacted from answers.
            case enterprise
            /// As enterprise, and PII redacted from prompts before a provider sees them.
            case hipaa
        }

        /// `security.audit`: the tamper-evident log of security events.
        public struct Audit: Sendable, Hashable {
            public var enabled = true
            /// The database; `nil` for `audit.sqlite` beside the analytics database.
            public var path: String?
            public init() {}
        }

        /// The rules of a preset.
        public static func preset(_ preset: Preset) -> SecurityRules {
            var rules = SecurityRules()
            switch preset {
            case .standard:
                break
            case .enterprise:
                rules.injection.mode = .block
                rules.redaction.output = true
            case .hipaa:
                rules.injection.mode = .block
                rules.redaction.output = true
                rules.redaction.input = true
            }
            return rules
        }
    }
}

/// What applies to one tenant's requests: input limits, injection detection, redaction.
public struct SecurityRules: Sendable, Hashable {
    public var limits = InputLimits()
    public var injection = InjectionSettings()
    public var redaction = RedactionSettings()
    public init() {}
}

/// `limits` under `security` or a policy: what a request's input may hold.
public struct InputLimits: Sendable, Hashable {
    /// Characters of all messages' text together (the system prompt included).
    public var maxPromptCharacters = 100_000
    public var maxMessages = 1_000
    public var maxTools = 128
    /// Bytes of one tool's name, description and JSON Schema, as JSON.
    public var maxToolBytes = 65_536
    /// The message roles a request may use.
    public var roles: Set<String> = ["system", "user", "assistant", "tool"]
    public init() {}
}

/// `injection` under `security` or a policy.
public struct InjectionSettings: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case off, flag, block
    }
    public var mode = Mode.flag
    /// A score at least this flags or blocks.
    public var threshold = 0.5
    /// A second opinion from a model, for prompts the scorer flags or nearly flags.
    public var classifier: Classifier?
    public init() {}

    /// `injection.classifier`: a provider (or pool) and model asked whether a prompt is an attack.
    public struct Classifier: Sendable, Hashable {
        public var provider: String
        public var model: String?
        public var timeoutMs = 10_000
        public init(provider: String, model: String? = nil) {
            self.provider = provider
            self.model = model
        }
    }
}

/// `redaction` under `security` or a policy: PII and secrets replaced, per direction.
public struct RedactionSettings: Sendable, Hashable {
    /// Redact prompts before a provider sees them.
    public var input = false
    /// Redact answers before the client (and the cache, the logs, analytics) sees them.
    public var output = false
    /// Kinds to detect, by name (`email`, `card`, ...); `nil`: all.
    public var kinds: Set<String>?
    /// Replacement text by kind name, over the defaults (`[EMAIL-REDACTED]`).
    public var replacements: [String: String] = [:]
    public init() {}
}
