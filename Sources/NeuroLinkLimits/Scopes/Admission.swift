/// What the limiter needs to know about a request to admit it.
public struct AdmissionRequest: Sendable, Hashable {
    /// Whose request it is.
    public var tenant: TenantKey
    /// The member (provider) that will serve it.
    public var member: String
    /// Characters of input (messages, system prompt, tools) for the token estimate.
    public var inputCharacters: Int
    /// The exact input token count, when the caller has one; replaces the character estimate.
    public var inputTokens: Int?
    /// The request's `maxTokens`, the output estimate.
    public var maxOutputTokens: Int?

    public init(
        tenant: TenantKey,
        member: String,
        inputCharacters: Int = 0,
        inputTokens: Int? = nil,
        maxOutputTokens: Int? = nil
    ) {
        self.tenant = tenant
        self.member = member
        self.inputCharacters = inputCharacters
        self.inputTokens = inputTokens
        self.maxOutputTokens = maxOutputTokens
    }
}

/// The limiter's answer to an admission.
public enum AdmissionDecision: Sendable, Hashable {
    /// Admitted: run the request, then give the permit back with ``Limiter/finish(_:actual:now:)``.
    case admitted(AdmissionPermit)
    /// Denied: nothing was charged.
    case denied(LimitDenial)
}

/// Why a request was denied, where, and for how long.
public struct LimitDenial: Sendable, Hashable, CustomStringConvertible {
    /// The scope that denied; when several did, the one that must wait longest.
    public var scope: LimitScope
    public var reason: DenialReason
    /// How long until the request could be admitted if nothing else changes; `nil` when that is
    /// unknown (a concurrency limit waits for a release) or never (an impossible token cost).
    public var retryAfter: Duration?

    public init(scope: LimitScope, reason: DenialReason, retryAfter: Duration?) {
        self.scope = scope
        self.reason = reason
        self.retryAfter = retryAfter
    }

    public var description: String {
        "\(reason.rawValue) at \(scope)" + (retryAfter.map { ", retry after \($0)" } ?? "")
    }
}

/// The limit that denied a request.
public enum DenialReason: String, Sendable, Hashable, CaseIterable {
    case requests
    case tokens
    case inputTokens = "input_tokens"
    case outputTokens = "output_tokens"
    /// Too many requests in flight.
    case concurrency
    /// The provider reported nothing left (or answered 429): admission is paused until its reset.
    case providerPaused = "provider_paused"
    /// The provider reported little left: admission is spread out until its reset.
    case providerPacing = "provider_pacing"

    init(_ dimension: LimitDimension) {
        switch dimension {
        case .requests: self = .requests
        case .tokens: self = .tokens
        case .inputTokens: self = .inputTokens
        case .outputTokens: self = .outputTokens
        }
    }
}

/// An admitted request's claim on the limits: its in-flight slots and its charges. Give it back
/// exactly once: ``Limiter/finish(_:actual:now:)`` when the request ran (reconciles the token
/// estimate, releases the slots), ``Limiter/cancel(_:now:)`` when it never reached the provider.
public struct AdmissionPermit: Sendable, Hashable {
    /// Unique per limiter; a second release of the same permit is ignored.
    public let id: UInt64
    public let tenant: TenantKey
    public let member: String
    public let admittedAt: ContinuousClock.Instant
    /// Tokens charged so far: the estimate, then the actual usage once reconciled.
    public internal(set) var tokens: TokenUsage
    /// What was charged, with the limits in force then, so reconciliation and refunds use them too.
    var charges: [RateCharge]
}
