import NeuroLinkBasics

/// The stable error vocabulary of the protocol: every error response carries one of these in
/// `error.data.type`, next to its JSON-RPC `code`. See `docs/protocol.md`, "Errors".
public struct ErrorType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // JSON-RPC 2.0 standard errors.
    public static let parseError = ErrorType(rawValue: "parse_error")
    public static let invalidRequest = ErrorType(rawValue: "invalid_request")
    public static let unknownMethod = ErrorType(rawValue: "unknown_method")
    public static let invalidParams = ErrorType(rawValue: "invalid_params")
    public static let `internal` = ErrorType(rawValue: "internal")

    // Application errors (-32000 ... -32099).
    public static let frameTooLarge = ErrorType(rawValue: "frame_too_large")
    public static let providerNotFound = ErrorType(rawValue: "provider_not_found")
    public static let noProviderAvailable = ErrorType(rawValue: "no_provider_available")
    public static let upstreamAuth = ErrorType(rawValue: "upstream_auth")
    public static let rateLimited = ErrorType(rawValue: "rate_limited")
    public static let upstreamError = ErrorType(rawValue: "upstream_error")
    public static let upstreamBadResponse = ErrorType(rawValue: "upstream_bad_response")
    public static let upstreamInvalidRequest = ErrorType(rawValue: "upstream_invalid_request")
    public static let timeout = ErrorType(rawValue: "timeout")
    public static let cancelled = ErrorType(rawValue: "cancelled")
    public static let shuttingDown = ErrorType(rawValue: "shutting_down")
    public static let duplicateRequestId = ErrorType(rawValue: "duplicate_request_id")
    /// The daemon's admission queue is full.
    public static let overloaded = ErrorType(rawValue: "overloaded")
    /// Analytics are disabled (`analytics.enabled: false`) or the database cannot be read.
    public static let analyticsUnavailable = ErrorType(rawValue: "analytics_unavailable")
    /// `cache.mode: "only"` and no stored answer matches; or the cache is disabled for a cache method.
    public static let cacheMiss = ErrorType(rawValue: "cache_miss")
    /// A security policy does not let the caller do this (`error.data.rule` names the policy).
    public static let forbidden = ErrorType(rawValue: "forbidden")
    /// Prompt-injection detection (or a content rule) blocked the request before any provider saw it.
    public static let contentBlocked = ErrorType(rawValue: "content_blocked")
    /// Conversation memory is off (`memory.enabled: false`) or its database cannot be opened.
    public static let memoryUnavailable = ErrorType(rawValue: "memory_unavailable")

    /// The JSON-RPC error code that goes with this type.
    public var code: Int {
        switch self {
        case .parseError: -32700
        case .invalidRequest: -32600
        case .unknownMethod: -32601
        case .invalidParams: -32602
        case .internal: -32603
        case .frameTooLarge: -32001
        case .providerNotFound: -32002
        case .noProviderAvailable: -32003
        case .upstreamAuth: -32004
        case .rateLimited: -32005
        case .upstreamError: -32006
        case .upstreamBadResponse: -32007
        case .timeout: -32008
        case .cancelled: -32009
        case .shuttingDown: -32010
        case .upstreamInvalidRequest: -32011
        case .duplicateRequestId: -32012
        case .overloaded: -32013
        case .analyticsUnavailable: -32014
        case .cacheMiss: -32015
        case .forbidden: -32016
        case .contentBlocked: -32017
        case .memoryUnavailable: -32018
        default: -32000
        }
    }

    /// Whether repeating the same request later may succeed, when nothing more specific is known.
    public var defaultRetryable: Bool {
        switch self {
        case .rateLimited, .upstreamError, .upstreamBadResponse, .timeout, .shuttingDown, .overloaded: true
        default: false
        }
    }
}

/// Token counts of one answer.
///
/// Every count is within `0...Usage.maxTokens` (2⁵³ − 1): providers' reports are clamped when a
/// `Usage` is made or decoded (negative counts become 0, larger ones the maximum), and sums
/// saturate there, so a provider's absurd figure can neither trap nor reach a client as a number
/// its JSON reader cannot hold.
public struct Usage: Sendable, Hashable, Codable {
    /// The largest count a `Usage` holds: `Int.maxSafeJSONInteger`, 2⁵³ − 1.
    public static let maxTokens = Int.maxSafeJSONInteger

    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    /// Input tokens served from the provider's prompt cache, when reported.
    public var cachedInputTokens: Int?
    /// Output tokens spent on reasoning, when reported.
    public var reasoningTokens: Int?
    /// `true` when the daemon estimated some of these counts because the provider reported none
    /// (docs/protocol.md, "Usage"); absent when every count is the provider's.
    public var estimated: Bool?

    /// Counts clamped to `0...maxTokens`; `totalTokens` defaults to input plus output (saturating).
    public init(
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        totalTokens: Int? = nil,
        cachedInputTokens: Int? = nil,
        reasoningTokens: Int? = nil,
        estimated: Bool? = nil
    ) {
        self.estimated = estimated
        self.inputTokens = inputTokens.clampedCount
        self.outputTokens = outputTokens.clampedCount
        self.cachedInputTokens = cachedInputTokens?.clampedCount
        self.reasoningTokens = reasoningTokens?.clampedCount
        self.totalTokens = totalTokens?.clampedCount ?? inputTokens.addingCount(outputTokens)
    }

    /// The counts of two answers added up, each sum saturating at ``maxTokens``; an optional count
    /// is present when either side has it.
    public func adding(_ other: Usage) -> Usage {
        func sum(_ first: Int?, _ second: Int?) -> Int? {
            guard let first else { return second }
            return first.addingCount(second ?? 0)
        }
        return Usage(
            inputTokens: inputTokens.addingCount(other.inputTokens),
            outputTokens: outputTokens.addingCount(other.outputTokens),
            totalTokens: totalTokens.addingCount(other.totalTokens),
            cachedInputTokens: sum(cachedInputTokens, other.cachedInputTokens),
            reasoningTokens: sum(reasoningTokens, other.reasoningTokens),
            estimated: estimated == true || other.estimated == true ? true : nil
        )
    }

    private enum CodingKeys: String, CodingKey {
        case inputTokens, outputTokens, totalTokens, cachedInputTokens, reasoningTokens, estimated
    }

    /// Decodes leniently: any JSON number is accepted and clamped like the initialiser does
    /// (readers that go through `Double` may hand over `9.007199254740992e15` for a count).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> Int? {
            guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
            if let exact = try? c.decode(Int.self, forKey: key) { return exact }
            return Int(saturating: try c.decode(Double.self, forKey: key), rounding: .down)
        }
        self.init(
            inputTokens: try count(.inputTokens) ?? 0,
            outputTokens: try count(.outputTokens) ?? 0,
            totalTokens: try count(.totalTokens),
            cachedInputTokens: try count(.cachedInputTokens),
            reasoningTokens: try count(.reasoningTokens),
            estimated: try c.decodeIfPresent(Bool.self, forKey: .estimated)
        )
    }
}

/// Why an upstream attempt failed, in the terms routing decides by: only the transient classes
/// (`rate_limited`, `overloaded`, `server`, `network`, `timeout`) are retried or failed over.
public struct FailureClass: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let rateLimited = FailureClass(rawValue: "rate_limited")
    public static let overloaded = FailureClass(rawValue: "overloaded")
    public static let server = FailureClass(rawValue: "server")
    public static let network = FailureClass(rawValue: "network")
    public static let timeout = FailureClass(rawValue: "timeout")
    public static let auth = FailureClass(rawValue: "auth")
    public static let invalidRequest = FailureClass(rawValue: "invalid_request")
    public static let contextLength = FailureClass(rawValue: "context_length")
    public static let contentFilter = FailureClass(rawValue: "content_filter")
    public static let quotaExhausted = FailureClass(rawValue: "quota_exhausted")
    /// The client, not the provider, failed the request (it stopped reading); never held against
    /// the member.
    public static let client = FailureClass(rawValue: "client")

    /// Whether another attempt (later, or on another member) may succeed.
    public var isTransient: Bool {
        self == .rateLimited || self == .overloaded || self == .server || self == .network || self == .timeout
    }
}

/// `error.data` of every error response.
public struct ErrorData: Sendable, Hashable, Codable {
    public var type: ErrorType
    public var retryable: Bool
    /// Milliseconds to wait before retrying, when the provider said so.
    public var retryAfterMs: Int?
    /// Which timeout fired: `connect`, `first_chunk`, `idle` or `total`.
    public var timeout: String?
    /// The provider's HTTP status, for upstream errors.
    public var upstreamStatus: Int?
    /// The provider that failed, when one was chosen.
    public var provider: String?
    /// Tokens used before a stream failed.
    public var usage: Usage?
    /// The largest frame the daemon accepts, for `frame_too_large`.
    public var maxFrameBytes: Int?
    /// How routing classified an upstream failure; adapters set it when the provider says more
    /// than the status does (an overloaded or context-length error), routing fills it otherwise.
    public var failureClass: FailureClass?
    /// The routing of a request that failed after reaching a pool member: the attempts made.
    public var route: RouteInfo?
    /// For `forbidden` and `content_blocked`: the rule that refused (a policy's name, `admin`,
    /// `injection`, or the input limit).
    public var rule: String?

    public init(
        type: ErrorType,
        retryable: Bool? = nil,
        retryAfterMs: Int? = nil,
        timeout: String? = nil,
        upstreamStatus: Int? = nil,
        provider: String? = nil,
        usage: Usage? = nil,
        maxFrameBytes: Int? = nil,
        failureClass: FailureClass? = nil
    ) {
        self.failureClass = failureClass
        self.type = type
        self.retryable = retryable ?? type.defaultRetryable
        self.retryAfterMs = retryAfterMs
        self.timeout = timeout
        self.upstreamStatus = upstreamStatus
        self.provider = provider
        self.usage = usage
        self.maxFrameBytes = maxFrameBytes
    }
}

/// A JSON-RPC error object: `{code, message, data}`.
public struct RPCError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: Int
    public var message: String
    /// `data` lives on the heap: an error is held in the frame of every stage a request passes through,
    /// for as long as a stream stays open (see ``HeapBox``).
    private var boxedData: HeapBox<ErrorData>

    public var data: ErrorData {
        get { boxedData.value }
        _modify { yield &boxedData.value }
    }

    public init(_ type: ErrorType, _ message: String, data: ErrorData? = nil) {
        self.code = type.code
        self.message = message
        self.boxedData = HeapBox(data ?? ErrorData(type: type))
    }

    private enum CodingKeys: String, CodingKey { case code, message, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(Int.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        boxedData = HeapBox(try container.decode(ErrorData.self, forKey: .data))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(data, forKey: .data)
    }

    public var type: ErrorType { data.type }
    public var description: String { "\(data.type.rawValue): \(message)" }
}
