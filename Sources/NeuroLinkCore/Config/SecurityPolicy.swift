/// One entry of `security.policies`: which tenants it applies to, what they may reach, and the
/// rules that replace the defaults for them.
public struct SecurityPolicy: Sendable, Hashable {
    /// Names the policy in `forbidden` errors and the audit log.
    public var name: String
    public var match = Match()
    public var methods = AllowList()
    public var providers = AllowList()
    public var pools = AllowList()
    public var models = AllowList()
    /// The daemon's tools (`tools.list` names) the tenant's requests may use and call.
    public var tools = AllowList()
    /// The largest `maxTokens` a request may ask for (one that sends none gets this).
    public var maxTokens: Int?
    public var features = Features()
    /// The defaults with this policy's `limits`, `injection` and `redaction` keys applied.
    public var rules = SecurityRules()

    public init(name: String) { self.name = name }

    /// Who the policy is for; empty matches everyone (a catch-all, best last).
    public struct Match: Sendable, Hashable {
        public var tenants: Set<String> = []
        public var uids: Set<UInt32> = []
        /// Group names; a peer's groups are read when it connects.
        public var groups: Set<String> = []
        public init() {}

        public var isEmpty: Bool { tenants.isEmpty && uids.isEmpty && groups.isEmpty }
    }

    /// `allow` and `deny` lists of glob patterns (`*`, `?`): a name must match an `allow` entry
    /// (when there are any) and no `deny` entry.
    public struct AllowList: Sendable, Hashable {
        public var allow: [String] = []
        public var deny: [String] = []
        public init(allow: [String] = [], deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }

        /// The rule that refuses `name` (`deny "x*"`, `not in allow`), or `nil` when it is allowed.
        public func refusal(_ name: String) -> String? {
            if let pattern = deny.first(where: { Glob.matches($0, name) }) { return "deny \(pattern)" }
            guard allow.isEmpty || allow.contains(where: { Glob.matches($0, name) }) else {
                return "not in allow [\(allow.joined(separator: ", "))]"
            }
            return nil
        }
    }

    /// Features a tenant may use; `nil` leaves a feature allowed.
    public struct Features: Sendable, Hashable {
        public var tools: Bool?
        public var evaluation: Bool?
        public var semanticCache: Bool?
        public init() {}
    }
}

/// Shell-style glob matching: `*` any run of characters, `?` one character; no classes.
public enum Glob {
    /// Whether `name` matches `pattern` as a whole. Linear in practice: backtracks only to the
    /// last `*`, so no pattern can make it slow.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let n = Array(name.unicodeScalars)
        var (pi, ni) = (0, 0)
        var star: (p: Int, n: Int)?
        while ni < n.count {
            if pi < p.count, p[pi] == "?" || p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if pi < p.count, p[pi] == "*" {
                star = (pi, ni)
                pi += 1
            } else if let last = star {
                pi = last.p + 1
                ni = last.n + 1
                star = (last.p, last.n + 1)
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
