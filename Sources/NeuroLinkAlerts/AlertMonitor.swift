import NeuroLinkCore
import NeuroLinkProtocol
import Synchronization

/// The daemon's alerting state: the window of recent requests (a recorder), the rules' states,
/// and the analytics drop counts seen at each evaluation.
public final class AlertMonitor: Sendable {
    /// What the daemon reports besides the requests themselves, read at each evaluation.
    public struct Gauges: Sendable {
        public var queueSize: Int
        public var breakersOpen: Int
        /// The analytics writer's dropped-rows counter.
        public var analyticsDropped: Int

        public init(queueSize: Int, breakersOpen: Int, analyticsDropped: Int) {
            self.queueSize = queueSize
            self.breakersOpen = breakersOpen
            self.analyticsDropped = analyticsDropped
        }
    }

    public let window: RequestWindow
    private let state: Mutex<(engine: AlertEngine, drops: [(at: Double, total: Int)])>
    private let longestWindowMs: Int

    public init(rules: [AlertRule], window: RequestWindow = RequestWindow()) {
        self.window = window
        state = Mutex((AlertEngine(rules: rules), []))
        longestWindowMs = rules.map(\.windowMs).max() ?? 0
    }

    public var statuses: [AlertStatus] { state.withLock { $0.engine.statuses } }

    /// Evaluates every rule at `now` (seconds since 1970) and returns the transitions.
    public func evaluate(now: Double, gauges: Gauges) -> [AlertEngine.Transition] {
        state.withLock { state in
            state.drops.append((now, gauges.analyticsDropped))
            let keepFrom = now - Double(longestWindowMs) / 1000
            state.drops.removeAll { $0.at < keepFrom }
            let drops = state.drops
            // Rules over the same window share one pass over the recent requests.
            var figures: [Int: RequestWindow.Figures] = [:]
            func recent(_ rule: AlertRule) -> RequestWindow.Figures {
                if let known = figures[rule.windowMs] { return known }
                let computed = window.figures(windowMs: rule.windowMs, now: now)
                figures[rule.windowMs] = computed
                return computed
            }
            return state.engine.evaluate(now: now) { rule in
                switch rule.metric {
                case .errorRate: recent(rule).errorRate
                case .p95DurationMs: recent(rule).p95DurationMs
                case .p95FirstChunkMs: recent(rule).p95FirstChunkMs
                case .cacheHitRate: recent(rule).cacheHitRate
                case .queueSize: Double(gauges.queueSize)
                case .breakersOpen: Double(gauges.breakersOpen)
                case .analyticsDrops:
                    Double(
                        gauges.analyticsDropped
                            - (drops.first { $0.at >= now - Double(rule.windowMs) / 1000 }?.total ?? 0)
                    )
                }
            }
        }
    }
}
