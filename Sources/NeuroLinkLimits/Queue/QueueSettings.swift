/// What happens to a request that a limit denies.
public struct QueueSettings: Sendable, Hashable {
    /// `reject` answers `rate_limited` at once; `queue` waits in the admission queue.
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        case reject, queue
    }

    /// The valid request priorities; higher is served first.
    public static let priorities = 0...9

    public var strategy = Strategy.reject
    /// The most requests waiting at once; a full queue answers `overloaded` at once.
    public var maxSize = 100
    /// How long a request may wait before it fails with `rate_limited`.
    public var maxWait: Duration = .seconds(30)
    /// Whether request priorities order the queue; without it every request counts as `defaultPriority`.
    public var priorityEnabled = false
    /// The priority of requests that do not give one.
    public var defaultPriority = 5

    public init() {}

    /// Optional values merged over a preset, key by key.
    public struct Overrides: Sendable, Hashable {
        public var strategy: Strategy?
        public var maxSize: Int?
        public var maxWait: Duration?
        public var priorityEnabled: Bool?
        public var defaultPriority: Int?

        public init(
            strategy: Strategy? = nil,
            maxSize: Int? = nil,
            maxWait: Duration? = nil,
            priorityEnabled: Bool? = nil,
            defaultPriority: Int? = nil
        ) {
            self.strategy = strategy
            self.maxSize = maxSize
            self.maxWait = maxWait
            self.priorityEnabled = priorityEnabled
            self.defaultPriority = defaultPriority
        }

        /// These values where set, `base`'s elsewhere.
        public func merged(over base: Overrides) -> Overrides {
            Overrides(
                strategy: strategy ?? base.strategy,
                maxSize: maxSize ?? base.maxSize,
                maxWait: maxWait ?? base.maxWait,
                priorityEnabled: priorityEnabled ?? base.priorityEnabled,
                defaultPriority: defaultPriority ?? base.defaultPriority
            )
        }

        /// `base` with these values applied.
        public func applied(to base: QueueSettings) -> QueueSettings {
            var settings = base
            settings.strategy = strategy ?? base.strategy
            settings.maxSize = maxSize ?? base.maxSize
            settings.maxWait = maxWait ?? base.maxWait
            settings.priorityEnabled = priorityEnabled ?? base.priorityEnabled
            settings.defaultPriority = defaultPriority ?? base.defaultPriority
            return settings
        }
    }
}
