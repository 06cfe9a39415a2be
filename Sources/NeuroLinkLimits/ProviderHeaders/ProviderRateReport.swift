import NeuroLinkBasics

/// The limits a provider reported in one response's headers.
///
/// Understood headers (names are case-insensitive):
/// - OpenAI and compatible servers: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, with reset
///   values as Go durations (`6m0s`, `20ms`); bare `x-ratelimit-{limit,remaining,reset}` count requests.
///   A reset above 10⁹ is taken as Unix seconds, as some servers send it.
/// - Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
///   with reset values as RFC 3339 timestamps.
///
/// Numbers are validated: a count that is not an integer in `0...Int.max` leaves its field unreported
/// (one above 2⁵³ − 1 reads as 2⁵³ − 1, the largest count status reports exactly),
/// and every reset is clamped to ``resetRange`` (0 to one day), however far away the provider puts it.
///
/// `retry-after` is not read here: the caller parses it with its retry logic and passes the result to
/// ``MemberPacing/observeRetryAfter(_:now:)``.
public struct ProviderRateReport: Sendable, Hashable {
    /// One reported window: what is left of a limit and when it is whole again.
    public struct Window: Sendable, Hashable {
        /// The window's limit, when reported.
        public var limit: Int?
        /// Units left, when reported.
        public var remaining: Int?
        /// Time from the response until the window resets, when reported.
        public var resetAfter: Duration?

        public init(limit: Int? = nil, remaining: Int? = nil, resetAfter: Duration? = nil) {
            self.limit = limit
            self.remaining = remaining
            self.resetAfter = resetAfter
        }

        /// Nothing was reported for this window.
        public var isEmpty: Bool { limit == nil && remaining == nil && resetAfter == nil }
    }

    /// The range every reported reset (and every 429 pause) is clamped to: at most one day, the
    /// same bound as retry hints (`HTTPErrorMapping.maxRetryAfterMs`).
    public static let resetRange: ClosedRange<Duration> = .zero ... .seconds(86_400)

    public var requests = Window()
    public var tokens = Window()
    public var inputTokens = Window()
    public var outputTokens = Window()

    public init() {}

    /// The report in `headers` (name, value pairs); `unixTime` is the wall-clock time of the response
    /// as time since the Unix epoch, needed to turn RFC 3339 reset times into durations.
    public init(headers: some Sequence<(String, String)>, unixTime: Duration) {
        for (name, value) in headers { add(name: name, value: value, unixTime: unixTime) }
    }

    /// Whether no rate-limit header was recognised.
    public var isEmpty: Bool { requests.isEmpty && tokens.isEmpty && inputTokens.isEmpty && outputTokens.isEmpty }

    /// The window reported for `dimension`.
    public subscript(dimension: LimitDimension) -> Window {
        get {
            switch dimension {
            case .requests: requests
            case .tokens: tokens
            case .inputTokens: inputTokens
            case .outputTokens: outputTokens
            }
        }
        set {
            switch dimension {
            case .requests: requests = newValue
            case .tokens: tokens = newValue
            case .inputTokens: inputTokens = newValue
            case .outputTokens: outputTokens = newValue
            }
        }
    }

    /// Records one header if it is a rate-limit header; returns whether it was recognised (and parsed).
    @discardableResult
    public mutating func add(name: String, value: String, unixTime: Duration) -> Bool {
        // Most headers are not ours: look at the first byte before lower-casing anything.
        guard let first = name.utf8.first, first | 0x20 == UInt8(ascii: "x") || first | 0x20 == UInt8(ascii: "a")
        else { return false }
        let name = name.lowercased()
        let value = value.trimmingSpaces
        if name.hasPrefix("x-ratelimit-") {
            return addOpenAI(name.dropFirst("x-ratelimit-".count), value, unixTime: unixTime)
        }
        if name.hasPrefix("anthropic-ratelimit-") {
            return addAnthropic(name.dropFirst("anthropic-ratelimit-".count), value, unixTime: unixTime)
        }
        return false
    }

    private mutating func addOpenAI(_ rest: Substring, _ value: Substring, unixTime: Duration) -> Bool {
        let (field, dimensionName) = rest.split(separator: "-", maxSplits: 1).splat
        let dimension: LimitDimension
        switch dimensionName {
        case nil, "requests": dimension = .requests
        case "tokens": dimension = .tokens
        default: return false
        }
        switch field {
        case "limit", "remaining":
            return setCount(field, value, dimension)
        case "reset":
            guard let reset = ProviderDuration.parse(value) else { return false }
            // A "duration" of more than ~31 years is a Unix timestamp in seconds.
            let resetAfter = reset > .seconds(1_000_000_000) ? reset - unixTime : reset
            self[dimension].resetAfter = resetAfter.clamped(to: Self.resetRange)
            return true
        default:
            return false
        }
    }

    private mutating func addAnthropic(_ rest: Substring, _ value: Substring, unixTime: Duration) -> Bool {
        guard let split = rest.lastIndex(of: "-") else { return false }
        let dimension: LimitDimension
        switch rest[..<split] {
        case "requests": dimension = .requests
        case "tokens": dimension = .tokens
        case "input-tokens": dimension = .inputTokens
        case "output-tokens": dimension = .outputTokens
        default: return false
        }
        let field = rest[rest.index(after: split)...]
        switch field {
        case "limit", "remaining":
            return setCount(field, value, dimension)
        case "reset":
            guard let reset = RFC3339.parse(value) else { return false }
            self[dimension].resetAfter = (reset - unixTime).clamped(to: Self.resetRange)
            return true
        default:
            return false
        }
    }

    private mutating func setCount(_ field: Substring, _ value: Substring, _ dimension: LimitDimension) -> Bool {
        guard let parsed = Int(value), parsed >= 0 else { return false }
        // Above 2⁵³ − 1 a count could not reach clients exactly through status; no window is that big.
        let count = parsed.clampedCount
        if field == "limit" { self[dimension].limit = count } else { self[dimension].remaining = count }
        return true
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: Substring {
        var text = self[...]
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return Substring(text)
    }
}

extension Array where Element == Substring {
    /// The first element and, when present, the second.
    fileprivate var splat: (Substring, Substring?) { (first ?? "", count > 1 ? self[1] : nil) }
}
