/// How provider-reported limits slow admission to a member.
public struct PacingSettings: Sendable, Hashable {
    /// Whether reported limits and 429 `retry-after`s affect admission at all.
    public var enabled = true
    /// A window whose remaining share falls below this fraction of its limit is spread over the time
    /// left until its reset instead of being spent at once.
    public var lowWatermark = 0.1
    /// The pause after a 429 without `retry-after`, or after "0 remaining" without a reset time.
    public var defaultPause: Duration = .seconds(1)
    /// Tokens one request is assumed to use when pacing a token window, until responses tell better.
    public var defaultTokensPerRequest = 1000

    public init() {}

    /// Optional values merged over a preset, key by key.
    public struct Overrides: Sendable, Hashable {
        public var enabled: Bool?
        public var lowWatermark: Double?
        public var defaultPause: Duration?
        public var defaultTokensPerRequest: Int?

        public init(
            enabled: Bool? = nil,
            lowWatermark: Double? = nil,
            defaultPause: Duration? = nil,
            defaultTokensPerRequest: Int? = nil
        ) {
            self.enabled = enabled
            self.lowWatermark = lowWatermark
            self.defaultPause = defaultPause
            self.defaultTokensPerRequest = defaultTokensPerRequest
        }

        /// These values where set, `base`'s elsewhere.
        public func merged(over base: Overrides) -> Overrides {
            Overrides(
                enabled: enabled ?? base.enabled,
                lowWatermark: lowWatermark ?? base.lowWatermark,
                defaultPause: defaultPause ?? base.defaultPause,
                defaultTokensPerRequest: defaultTokensPerRequest ?? base.defaultTokensPerRequest
            )
        }

        /// `base` with these values applied.
        public func applied(to base: PacingSettings) -> PacingSettings {
            var settings = base
            settings.enabled = enabled ?? base.enabled
            settings.lowWatermark = lowWatermark ?? base.lowWatermark
            settings.defaultPause = defaultPause ?? base.defaultPause
            settings.defaultTokensPerRequest = defaultTokensPerRequest ?? base.defaultTokensPerRequest
            return settings
        }
    }
}
