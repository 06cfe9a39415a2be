/// A rate limit: a steady `rate` plus `burst` units that may go at once beyond it.
///
/// `burst` counts like nginx's `limit_req burst` and redis-cell's `max_burst`: an idle bucket admits
/// `burst + 1` units back to back (its ``capacity``), then one unit per `rate.interval`. So
/// `requests_per_second: 50, burst: 10` admits 11 requests at once and 50 per second after that,
/// `50 × t + 10` over a long busy span of `t` seconds (plus the first).
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// The steady rate.
    public let rate: Rate
    /// Units allowed at once beyond the steady rate; at least 0.
    public let burst: Int
    /// `capacity × rate.interval`: how far the theoretical arrival time may run ahead of now.
    let window: Duration

    /// A limit of `rate` with `burst` extra units (a negative burst counts as 0).
    public init(rate: Rate, burst: Int) {
        self.rate = rate
        self.burst = min(max(0, burst), 1 << 40)
        window = rate.interval * (self.burst + 1)
    }

    /// A token budget: `count` tokens per minute, of which a whole minute's worth may be spent at once.
    public static func tokensPerMinute(_ count: Int) -> RateLimit {
        let rate = Rate.perMinute(count)
        return RateLimit(rate: rate, burst: rate.count - 1)
    }

    /// The most units available at once (`burst + 1`).
    public var capacity: Int { burst + 1 }

    public var description: String { "\(rate) burst \(burst)" }
}
