import NeuroLinkCore
import NeuroLinkProtocol

/// The alert rules' states: each evaluation takes every rule's current value and reports the rules
/// that started or stopped firing. Pure state, no I/O: the daemon's alert service feeds it values
/// and acts on the transitions.
public struct AlertEngine: Sendable {
    /// A rule that started (`firing`) or stopped (`resolved`) firing.
    public struct Transition: Sendable, Hashable {
        public var rule: AlertRule
        public var firing: Bool
        public var value: Double?
        /// Seconds since 1970.
        public var at: Double
    }

    struct RuleState: Sendable {
        var firing = false
        var value: Double?
        var since: Double?
        var fired = 0
    }

    public let rules: [AlertRule]
    private var states: [RuleState]

    public init(rules: [AlertRule]) {
        self.rules = rules
        states = Array(repeating: RuleState(), count: rules.count)
    }

    /// Applies one evaluation: `value(rule)` is the rule's metric now, or `nil` without data (no
    /// requests in the window), which counts as not breaking it.
    public mutating func evaluate(now: Double, value: (AlertRule) -> Double?) -> [Transition] {
        var transitions: [Transition] = []
        for index in rules.indices {
            let rule = rules[index]
            let current = value(rule)
            states[index].value = current
            let breached = current.map(rule.breached(by:)) ?? false
            guard breached != states[index].firing else { continue }
            states[index].firing = breached
            states[index].since = now
            if breached { states[index].fired += 1 }
            transitions.append(Transition(rule: rule, firing: breached, value: current, at: now))
        }
        return transitions
    }

    /// Every rule and its state.
    public var statuses: [AlertStatus] {
        zip(rules, states).map { rule, state in
            AlertStatus(
                name: rule.name,
                metric: rule.metric.rawValue,
                condition: rule.condition.rawValue,
                threshold: rule.threshold,
                windowMs: rule.windowMs,
                severity: rule.severity.rawValue,
                state: state.firing ? "firing" : "ok",
                value: state.value,
                since: state.since,
                fired: state.fired
            )
        }
    }
}
