/// Names one bucket: a scope and what it counts. One key holds one value (the GCRA theoretical
/// arrival time), so a shared store keeps exactly one entry, e.g. one Redis key, per bucket.
public struct LimiterKey: Sendable, Hashable, CustomStringConvertible {
    /// Where the bucket applies.
    public let scope: LimitScope
    /// What it counts.
    public let dimension: LimitDimension
    /// The fields' hash, computed once: a key is looked up several times per admission (charge,
    /// refund, reconcile), and hashing its tenant and provider names each time was most of the
    /// limiter's cost.
    private let fieldsHash: Int

    public init(_ scope: LimitScope, _ dimension: LimitDimension) {
        self.init(HashedScope(scope), dimension)
    }

    /// From a scope whose hash is already known. The dimension is mixed in without running a
    /// hasher: a table hashes `fieldsHash` with its own seed anyway, and equality still compares
    /// the fields.
    init(_ scope: HashedScope, _ dimension: LimitDimension) {
        self.scope = scope.scope
        self.dimension = dimension
        fieldsHash = scope.hash ^ dimension.hashSalt
    }

    public static func == (lhs: LimiterKey, rhs: LimiterKey) -> Bool {
        lhs.fieldsHash == rhs.fieldsHash && lhs.dimension == rhs.dimension && lhs.scope == rhs.scope
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fieldsHash)
    }

    /// `tenant:alice/member:openai:requests`; only for display and for stores that need a string
    /// key (building it allocates, so the in-memory store hashes the fields instead).
    public var description: String { "\(scope):\(dimension.rawValue)" }
}

extension LimitDimension {
    /// Distinct odd multiples of the golden-ratio constant, one per dimension.
    fileprivate var hashSalt: Int {
        let index =
            switch self {
            case .requests: 1
            case .tokens: 3
            case .inputTokens: 5
            case .outputTokens: 7
            }
        return index &* Int(bitPattern: 0x9E37_79B9_7F4A_7C15)
    }
}

/// One charge of a batch: `cost` units against `key`, limited by `limit`.
public struct RateCharge: Sendable, Hashable {
    public var key: LimiterKey
    public var limit: RateLimit
    public var cost: Int

    public init(key: LimiterKey, limit: RateLimit, cost: Int) {
        self.key = key
        self.limit = limit
        self.cost = cost
    }
}

/// What a store answered for a batch of charges, applied all-or-nothing.
public struct BatchDecision: Sendable, Hashable {
    /// Whether every charge was admitted (and made).
    public var allowed: Bool
    /// When denied, the index of the charge that must wait longest; `nil` when allowed.
    public var blockingIndex: Int?
    /// `.zero` when allowed; when denied, the longest wait among the denying charges, or `nil` when
    /// one of them can never be admitted (its cost exceeds its capacity).
    public var retryAfter: Duration?

    public init(allowed: Bool, blockingIndex: Int?, retryAfter: Duration?) {
        self.allowed = allowed
        self.blockingIndex = blockingIndex
        self.retryAfter = retryAfter
    }

    /// Every charge was made.
    public static let admitted = BatchDecision(allowed: true, blockingIndex: nil, retryAfter: .zero)

    /// Folds one denied charge into a denial: the longest wait wins, and "never" is longest.
    mutating func noteDenied(index: Int, retryAfter wait: Duration?) {
        let longer: Bool
        if allowed {
            longer = true
        } else if let current = retryAfter {
            longer = wait.map { $0 > current } ?? true
        } else {
            longer = false
        }
        allowed = false
        if longer {
            blockingIndex = index
            retryAfter = wait
        }
    }
}
