/// The admission queue as a plain state machine: requests a limit denied wait here until the
/// caller (which owns the clock, the limiter and the continuations) lets them through.
///
/// Order of service: higher priority first (when priorities are enabled); within a priority, tenants
/// take turns (round-robin), and each tenant's requests go oldest first. The queue is bounded
/// (`maxSize`: a full queue answers ``EnqueueResult/overloaded``) and requests older than `maxWait`
/// come out of ``expire(now:)``. Nothing here sleeps or suspends; every time is a parameter.
///
/// A typical driver, run whenever a permit is released, a retry-after elapses or a request arrives:
/// ```swift
/// for entry in queue.expire(now: now) { fail(entry, .rateLimited) }
/// while let entry = queue.popFirst(now: now, where: { tryAdmit($0) }) { resume(entry) }
/// // sleep until queue.nextDeadline or the shortest retry-after, whichever is first
/// ```
/// With an `async` limiter, walk ``candidates(limit:)`` instead and ``take(_:now:)`` the admitted.
public struct AdmissionQueue<Payload> {
    /// The settings in force; changing them (a reload) applies to what happens next.
    public var settings: QueueSettings
    private var levels: [PriorityLevel<Payload>]
    private var locations: [QueueTicket: Location] = [:]
    /// Tickets in arrival order, for expiry; removed tickets are skipped lazily, but the one at
    /// `arrivalsHead` is always still waiting.
    private var arrivals: [QueueTicket] = []
    private var arrivalsHead = 0
    private var lastTicket: UInt64 = 0
    private var lastServedAt: ContinuousClock.Instant?
    /// Smoothed time between two requests leaving the queue served.
    public private(set) var serviceInterval: Duration?
    /// What happened to requests so far.
    public private(set) var counters = QueueCounters()

    private struct Location {
        let priority: Int
        let tenant: TenantKey
        let enqueuedAt: ContinuousClock.Instant
    }

    public init(settings: QueueSettings) {
        self.settings = settings
        levels = Array(repeating: PriorityLevel(), count: QueueSettings.priorities.count)
    }

    /// Requests waiting.
    public var count: Int { locations.count }
    public var isEmpty: Bool { locations.isEmpty }

    /// Adds a request the limiter denied. `priority` is clamped to 0–9 and ignored (the default is
    /// used) when priorities are disabled.
    public mutating func enqueue(
        _ payload: Payload,
        tenant: TenantKey,
        priority: Int?,
        now: ContinuousClock.Instant
    ) -> EnqueueResult {
        guard settings.strategy == .queue else {
            counters.rejected += 1
            return .rejected
        }
        guard count < settings.maxSize else {
            counters.overloaded += 1
            return .overloaded
        }
        let range = QueueSettings.priorities
        let wanted = settings.priorityEnabled ? priority ?? settings.defaultPriority : settings.defaultPriority
        let effective = min(max(wanted, range.lowerBound), range.upperBound)
        lastTicket += 1
        let ticket = QueueTicket(rawValue: lastTicket)
        levels[effective].append(
            QueueEntry(ticket: ticket, tenant: tenant, priority: effective, enqueuedAt: now, payload: payload)
        )
        locations[ticket] = Location(priority: effective, tenant: tenant, enqueuedAt: now)
        arrivals.append(ticket)
        counters.enqueued += 1
        let position = position(of: ticket) ?? count
        return .queued(ticket, position: position, estimatedWait: estimatedWait(position: position))
    }

    /// The next request in service order, removed; `nil` when the queue is empty.
    public mutating func dequeue(now: ContinuousClock.Instant) -> QueueEntry<Payload>? {
        popFirst(now: now) { _ in .take }
    }

    /// Walks the candidates in service order and removes the first one `decide` takes. Only each
    /// tenant's oldest request of each priority is a candidate, which keeps a tenant's own requests
    /// in order and the walk short.
    public mutating func popFirst(
        now: ContinuousClock.Instant,
        where decide: (QueueEntry<Payload>) throws -> QueueScan
    ) rethrows -> QueueEntry<Payload>? {
        for priority in QueueSettings.priorities.reversed() where levels[priority].count > 0 {
            for tenant in levels[priority].serviceOrder {
                guard let entry = levels[priority].first(of: tenant) else { continue }
                switch try decide(entry) {
                case .take: return take(entry.ticket, now: now)
                case .skip: continue
                case .stop: return nil
                }
            }
        }
        return nil
    }

    /// Up to `limit` candidates in service order (each tenant's oldest request per priority), for a
    /// caller that must `await` its admission decision; it then calls ``take(_:now:)``.
    public func candidates(limit: Int = .max) -> [QueueEntry<Payload>] {
        var result: [QueueEntry<Payload>] = []
        for priority in QueueSettings.priorities.reversed() where levels[priority].count > 0 {
            for tenant in levels[priority].serviceOrder {
                guard result.count < limit else { return result }
                if let entry = levels[priority].first(of: tenant) { result.append(entry) }
            }
        }
        return result
    }

    /// Removes `ticket` as served (admitted): its tenant's turn is used. `nil` when it is no longer
    /// waiting (cancelled or expired meanwhile: the caller must then give the permit back).
    public mutating func take(_ ticket: QueueTicket, now: ContinuousClock.Instant) -> QueueEntry<Payload>? {
        guard let entry = removeEntry(ticket, served: true) else { return nil }
        counters.served += 1
        let start = max(lastServedAt ?? entry.enqueuedAt, entry.enqueuedAt)
        let gap = now > start ? now - start : .zero
        // Integer smoothing (0.7 old, 0.3 new) so equal inputs give equal estimates on every platform.
        serviceInterval =
            serviceInterval.map {
                Duration(totalAttoseconds: ($0.totalAttoseconds * 7 + gap.totalAttoseconds * 3) / 10)
            } ?? gap
        lastServedAt = now
        return entry
    }

    /// Removes `ticket` because its client went away (cancelled or disconnected).
    public mutating func remove(_ ticket: QueueTicket) -> QueueEntry<Payload>? {
        guard let entry = removeEntry(ticket, served: false) else { return nil }
        counters.cancelled += 1
        return entry
    }

    /// Removes and returns every request that has waited `maxWait` or longer at `now`, oldest first.
    public mutating func expire(now: ContinuousClock.Instant) -> [QueueEntry<Payload>] {
        var expired: [QueueEntry<Payload>] = []
        while let oldest = oldestTicket, let location = locations[oldest],
            location.enqueuedAt + settings.maxWait <= now
        {
            guard let entry = removeEntry(oldest, served: false) else { break }
            expired.append(entry)
        }
        counters.timedOut += expired.count
        return expired
    }

    /// When the oldest waiting request times out; `nil` when the queue is empty.
    public var nextDeadline: ContinuousClock.Instant? {
        oldestTicket.flatMap { locations[$0] }.map { $0.enqueuedAt + settings.maxWait }
    }

    /// When the oldest waiting request arrived.
    public var oldestEnqueuedAt: ContinuousClock.Instant? { oldestTicket.flatMap { locations[$0]?.enqueuedAt } }

    /// The ticket's place in line (1 = next) if nothing else arrives; `nil` when it is not waiting.
    public func position(of ticket: QueueTicket) -> Int? {
        guard let location = locations[ticket],
            let ahead = levels[location.priority].waitingAhead(of: ticket, tenant: location.tenant)
        else { return nil }
        let higher = levels[(location.priority + 1)...].reduce(0) { $0 + $1.count }
        return higher + ahead + 1
    }

    /// A simple estimate of the wait at `position`: the smoothed service interval times the position;
    /// `nil` until the queue has served a request.
    public func estimatedWait(position: Int) -> Duration? {
        serviceInterval.map { $0 * max(1, position) }
    }

    /// ``estimatedWait(position:)`` for a waiting ticket.
    public func estimatedWait(of ticket: QueueTicket) -> Duration? {
        position(of: ticket).flatMap(estimatedWait(position:))
    }

    /// Requests waiting at each priority, index = priority.
    public var depthByPriority: [Int] { levels.map(\.count) }

    private var oldestTicket: QueueTicket? { arrivalsHead < arrivals.count ? arrivals[arrivalsHead] : nil }

    private mutating func removeEntry(_ ticket: QueueTicket, served: Bool) -> QueueEntry<Payload>? {
        guard let location = locations.removeValue(forKey: ticket),
            let entry = levels[location.priority].remove(ticket, tenant: location.tenant, served: served)
        else { return nil }
        // Keep the invariant: the arrival at the head is still waiting.
        while arrivalsHead < arrivals.count, locations[arrivals[arrivalsHead]] == nil { arrivalsHead += 1 }
        if arrivalsHead >= 1024, arrivalsHead * 2 >= arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
        return entry
    }
}

extension AdmissionQueue: Sendable where Payload: Sendable {}

/// Totals of what happened to queued requests, for status.
public struct QueueCounters: Sendable, Hashable {
    public var enqueued = 0
    public var served = 0
    public var timedOut = 0
    public var cancelled = 0
    /// Denied requests answered at once because the strategy is `reject`.
    public var rejected = 0
    /// Requests refused because the queue was full.
    public var overloaded = 0

    public init() {}
}
