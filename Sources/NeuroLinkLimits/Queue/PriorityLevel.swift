/// The requests of one priority: a FIFO lane per tenant, served round-robin across tenants so one
/// tenant's burst waits behind every other tenant's next request rather than in front of them.
struct PriorityLevel<Payload> {
    /// One tenant's waiting requests, oldest first. Served entries are skipped by `head` and the
    /// array compacted now and then, so taking the oldest is O(1) amortised.
    struct Lane {
        var entries: [QueueEntry<Payload>] = []
        var head = 0

        var count: Int { entries.count - head }
        var first: QueueEntry<Payload>? { head < entries.count ? entries[head] : nil }

        func offset(of ticket: QueueTicket) -> Int? {
            entries[head...].firstIndex { $0.ticket == ticket }.map { $0 - head }
        }

        mutating func remove(at offset: Int) -> QueueEntry<Payload> {
            let entry: QueueEntry<Payload>
            if offset == 0 {
                entry = entries[head]
                head += 1
                if head >= 32, head * 2 >= entries.count {
                    entries.removeFirst(head)
                    head = 0
                }
            } else {
                entry = entries.remove(at: head + offset)
            }
            return entry
        }
    }

    private(set) var lanes: [TenantKey: Lane] = [:]
    /// Tenants with waiting requests, in round-robin order starting at `cursor`.
    private(set) var rotation: [TenantKey] = []
    private(set) var cursor = 0
    private(set) var count = 0

    /// Tenants in the order they are served next.
    var serviceOrder: some Sequence<TenantKey> {
        let rotation = rotation
        let cursor = cursor
        return (0..<rotation.count).lazy.map { rotation[(cursor + $0) % rotation.count] }
    }

    mutating func append(_ entry: QueueEntry<Payload>) {
        if lanes[entry.tenant] == nil { insertAtTail(entry.tenant) }
        lanes[entry.tenant, default: Lane()].entries.append(entry)
        count += 1
    }

    func first(of tenant: TenantKey) -> QueueEntry<Payload>? { lanes[tenant]?.first }

    /// Removes a request; `served` moves its tenant to the back of the rotation (its turn is used).
    mutating func remove(_ ticket: QueueTicket, tenant: TenantKey, served: Bool) -> QueueEntry<Payload>? {
        guard var lane = lanes[tenant], let offset = lane.offset(of: ticket) else { return nil }
        let entry = lane.remove(at: offset)
        count -= 1
        if lane.count == 0 {
            lanes[tenant] = nil
            removeFromRotation(tenant)
        } else {
            lanes[tenant] = lane
            if served {
                removeFromRotation(tenant)
                insertAtTail(tenant)
            }
        }
        return entry
    }

    /// Requests of this level served before `ticket` if nothing else arrives: round `i` of the
    /// rotation serves every tenant's `i`-th request, in rotation order.
    func waitingAhead(of ticket: QueueTicket, tenant: TenantKey) -> Int? {
        guard let offset = lanes[tenant]?.offset(of: ticket) else { return nil }
        var ahead = offset
        var beforeTenant = true
        for other in serviceOrder {
            if other == tenant {
                beforeTenant = false
                continue
            }
            ahead += min(lanes[other]?.count ?? 0, beforeTenant ? offset + 1 : offset)
        }
        return ahead
    }

    /// The tail of a circular rotation is just before the cursor.
    private mutating func insertAtTail(_ tenant: TenantKey) {
        rotation.insert(tenant, at: cursor)
        cursor = (cursor + 1) % rotation.count
    }

    private mutating func removeFromRotation(_ tenant: TenantKey) {
        guard let index = rotation.firstIndex(of: tenant) else { return }
        rotation.remove(at: index)
        if index < cursor { cursor -= 1 }
        if cursor >= rotation.count { cursor = 0 }
    }
}

extension PriorityLevel: Sendable where Payload: Sendable {}
extension PriorityLevel.Lane: Sendable where Payload: Sendable {}
