/// How an adaptive concurrency limit moves toward a target response time (AIMD).
public struct AdaptiveSettings: Sendable, Hashable {
    /// Responses slower than this shrink the limit; faster ones let it grow.
    public var targetResponseTime: Duration = .milliseconds(2000)
    /// The limit never goes below this (at least 1).
    public var minLimit = 1
    /// The limit never goes above this.
    public var maxLimit = 64
    /// The starting limit; `nil` starts halfway between min and max.
    public var initialLimit: Int?
    /// The factor applied on a slow response or an overload (`0 < factor < 1`).
    public var decreaseFactor = 0.9
    /// What a fast response adds while the limit is in use.
    public var increment = 1.0

    public init() {}

    /// Optional values merged over a preset, key by key; `enabled` switches adaptation on for a member.
    public struct Overrides: Sendable, Hashable {
        public var enabled: Bool?
        public var targetResponseTime: Duration?
        public var minLimit: Int?
        public var maxLimit: Int?
        public var initialLimit: Int?
        public var decreaseFactor: Double?
        public var increment: Double?

        public init(
            enabled: Bool? = nil,
            targetResponseTime: Duration? = nil,
            minLimit: Int? = nil,
            maxLimit: Int? = nil,
            initialLimit: Int? = nil,
            decreaseFactor: Double? = nil,
            increment: Double? = nil
        ) {
            self.enabled = enabled
            self.targetResponseTime = targetResponseTime
            self.minLimit = minLimit
            self.maxLimit = maxLimit
            self.initialLimit = initialLimit
            self.decreaseFactor = decreaseFactor
            self.increment = increment
        }

        /// These values where set, `base`'s elsewhere.
        public func merged(over base: Overrides) -> Overrides {
            Overrides(
                enabled: enabled ?? base.enabled,
                targetResponseTime: targetResponseTime ?? base.targetResponseTime,
                minLimit: minLimit ?? base.minLimit,
                maxLimit: maxLimit ?? base.maxLimit,
                initialLimit: initialLimit ?? base.initialLimit,
                decreaseFactor: decreaseFactor ?? base.decreaseFactor,
                increment: increment ?? base.increment
            )
        }

        /// `base` with these values applied.
        public func applied(to base: AdaptiveSettings) -> AdaptiveSettings {
            var settings = base
            settings.targetResponseTime = targetResponseTime ?? base.targetResponseTime
            settings.minLimit = minLimit ?? base.minLimit
            settings.maxLimit = maxLimit ?? base.maxLimit
            settings.initialLimit = initialLimit ?? base.initialLimit
            settings.decreaseFactor = decreaseFactor ?? base.decreaseFactor
            settings.increment = increment ?? base.increment
            return settings
        }
    }
}
