import NeuroLinkLimits
import Testing

@Suite struct QueueTests {
    private let time = Timeline()
    private let a = TenantKey("a")
    private let b = TenantKey("b")
    private let c = TenantKey("c")

    private func queue(
        maxSize: Int = 1000,
        maxWait: Duration = .seconds(30),
        priorities: Bool = true
    )
        -> AdmissionQueue<String>
    {
        var settings = QueueSettings()
        settings.strategy = .queue
        settings.maxSize = maxSize
        settings.maxWait = maxWait
        settings.priorityEnabled = priorities
        return AdmissionQueue(settings: settings)
    }

    private func ticket(_ result: EnqueueResult) -> QueueTicket? {
        if case .queued(let ticket, _, _) = result { return ticket }
        return nil
    }

    private func drain(_ queue: inout AdmissionQueue<String>, at ms: Int = 0) -> [String] {
        var served: [String] = []
        while let entry = queue.dequeue(now: time.ms(ms)) { served.append(entry.payload) }
        return served
    }

    @Test func higherPriorityIsServedFirstAndEqualPrioritiesInArrivalOrder() {
        var queue = queue()
        for (name, priority) in [("low", 1), ("high", 9), ("mid", 5), ("high2", 9), ("none", nil)] as [(String, Int?)] {
            _ = queue.enqueue(name, tenant: a, priority: priority, now: time.ms(0))
        }
        #expect(drain(&queue) == ["high", "high2", "mid", "none", "low"])
    }

    @Test func withoutPrioritiesEverythingIsOneLevel() {
        var queue = queue(priorities: false)
        _ = queue.enqueue("first", tenant: a, priority: 0, now: time.ms(0))
        _ = queue.enqueue("second", tenant: a, priority: 9, now: time.ms(0))
        #expect(drain(&queue) == ["first", "second"])
    }

    @Test func oneTenantsBurstCannotStarveAnotherTenant() {
        var queue = queue()
        for index in 0..<100 { _ = queue.enqueue("a\(index)", tenant: a, priority: 5, now: time.ms(0)) }
        let result = queue.enqueue("b0", tenant: b, priority: 5, now: time.ms(1))
        // B is second in line: after A's oldest, before A's other 99.
        if case .queued(_, let position, _) = result { #expect(position == 2) } else { Issue.record("not queued") }
        let served = drain(&queue)
        #expect(served.prefix(2).contains("b0"))
        #expect(served.filter { $0.hasPrefix("a") } == (0..<100).map { "a\($0)" })
    }

    @Test func tenantsTakeTurnsRoundRobin() {
        var queue = queue()
        for index in 0..<3 { _ = queue.enqueue("a\(index)", tenant: a, priority: 5, now: time.ms(0)) }
        for index in 0..<2 { _ = queue.enqueue("b\(index)", tenant: b, priority: 5, now: time.ms(0)) }
        _ = queue.enqueue("c0", tenant: c, priority: 5, now: time.ms(0))
        #expect(drain(&queue) == ["a0", "b0", "c0", "a1", "b1", "a2"])
    }

    @Test func positionsPredictTheServiceOrder() {
        var queue = queue()
        var tickets: [QueueTicket] = []
        for (name, tenant, priority) in [
            ("a0", a, 5), ("a1", a, 5), ("a2", a, 5), ("b0", b, 5), ("b1", b, 5),
            ("c0", c, 5), ("urgent", c, 9),
        ] {
            if let ticket = ticket(queue.enqueue(name, tenant: tenant, priority: priority, now: time.ms(0))) {
                tickets.append(ticket)
            }
        }
        let predicted = tickets.sorted { (queue.position(of: $0) ?? 0) < (queue.position(of: $1) ?? 0) }
        #expect(tickets.compactMap { queue.position(of: $0) }.sorted() == Array(1...7))
        var served: [QueueTicket] = []
        while let entry = queue.dequeue(now: time.ms(0)) { served.append(entry.ticket) }
        #expect(served == predicted)
    }

    @Test func aFullQueueAnswersOverloadedAndRejectAnswersRejected() {
        var queue = queue(maxSize: 2)
        _ = queue.enqueue("1", tenant: a, priority: nil, now: time.ms(0))
        _ = queue.enqueue("2", tenant: b, priority: nil, now: time.ms(0))
        let third = queue.enqueue("3", tenant: c, priority: nil, now: time.ms(0))
        #expect(third == .overloaded)
        #expect(queue.count == 2)
        var rejecting = AdmissionQueue<String>(settings: QueueSettings())
        let rejected = rejecting.enqueue("x", tenant: a, priority: nil, now: time.ms(0))
        #expect(rejected == .rejected)
        #expect(rejecting.isEmpty)
        #expect(queue.counters.overloaded == 1)
        #expect(rejecting.counters.rejected == 1)
    }

    @Test func requestsTimeOutAfterTheMaximumWait() {
        var queue = queue(maxWait: .seconds(2))
        _ = queue.enqueue("old", tenant: a, priority: 1, now: time.ms(0))
        _ = queue.enqueue("newer", tenant: b, priority: 9, now: time.ms(500))
        _ = queue.enqueue("newest", tenant: a, priority: 5, now: time.ms(1500))
        #expect(queue.nextDeadline == time.ms(2000))
        let early = queue.expire(now: time.ms(1999))
        #expect(early.isEmpty)
        let expired = queue.expire(now: time.ms(2500))
        #expect(expired.map(\.payload) == ["old", "newer"])
        #expect(queue.nextDeadline == time.ms(3500))
        #expect(queue.count == 1)
        #expect(queue.counters.timedOut == 2)
        let last = queue.expire(now: time.ms(3500))
        #expect(last.map(\.payload) == ["newest"])
        #expect(queue.nextDeadline == nil)
    }

    @Test func aCancelledRequestLeavesAtOnceAndOthersMoveUp() {
        var queue = queue()
        let first = ticket(queue.enqueue("a0", tenant: a, priority: 5, now: time.ms(0)))
        let second = ticket(queue.enqueue("a1", tenant: a, priority: 5, now: time.ms(0)))
        let third = ticket(queue.enqueue("b0", tenant: b, priority: 5, now: time.ms(0)))
        guard let first, let second, let third else {
            Issue.record("not queued")
            return
        }
        #expect(queue.position(of: second) == 3)
        let removed = queue.remove(first)
        let again = queue.remove(first)
        #expect(removed?.payload == "a0")
        #expect(again == nil)
        #expect(queue.position(of: first) == nil)
        // A cancelled request does not use its tenant's turn: A's next request moves up into it.
        #expect(queue.position(of: second) == 1)
        #expect(queue.position(of: third) == 2)
        #expect(queue.oldestEnqueuedAt == time.ms(0))
        #expect(drain(&queue) == ["a1", "b0"])
        #expect(queue.counters.cancelled == 1)
    }

    @Test func popFirstSkipsBlockedTenantsAndStopsWhenNothingCanGo() {
        var queue = queue()
        _ = queue.enqueue("a0", tenant: a, priority: 9, now: time.ms(0))
        _ = queue.enqueue("b0", tenant: b, priority: 5, now: time.ms(0))
        _ = queue.enqueue("c0", tenant: c, priority: 5, now: time.ms(0))
        let taken = queue.popFirst(now: time.ms(0)) { $0.tenant == a ? .skip : .take }
        #expect(taken?.payload == "b0")
        let stopped = queue.popFirst(now: time.ms(0)) { _ in .stop }
        #expect(stopped == nil)
        #expect(queue.count == 2)
        #expect(queue.candidates().map(\.payload) == ["a0", "c0"])
        if let entry = queue.candidates(limit: 1).first {
            let taken = queue.take(entry.ticket, now: time.ms(0))
            #expect(taken?.payload == "a0")
        }
    }

    @Test func theEstimatedWaitFollowsTheServiceRate() {
        var queue = queue()
        for index in 0..<5 { _ = queue.enqueue("\(index)", tenant: a, priority: 5, now: time.ms(0)) }
        #expect(queue.estimatedWait(position: 3) == nil)
        _ = queue.dequeue(now: time.ms(200))
        _ = queue.dequeue(now: time.ms(400))
        #expect(queue.serviceInterval == .milliseconds(200))
        let result = queue.enqueue("late", tenant: b, priority: 5, now: time.ms(400))
        // Round-robin puts the new tenant second: after one more of A's.
        #expect(result == .queued(QueueTicket(rawValue: 6), position: 2, estimatedWait: .milliseconds(400)))
    }
}
