/// Values by key, bounded in bytes: adding past the bound evicts the least recently used.
/// O(1) per operation: a dictionary of slots threaded on a doubly linked list (most recent first).
struct MemoryLRU<Key: Hashable, Value> {
    fileprivate struct Slot {
        var key: Key
        var value: Value
        var bytes: Int
        var newer: Int?
        var older: Int?
    }

    let capacity: Int
    private(set) var bytes = 0
    private var slots: [Slot?] = []
    private var free: [Int] = []
    private var index: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { index.count }

    /// The value, marked as just used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return slots[slot]?.value
    }

    /// The value, without marking it used.
    func peek(_ key: Key) -> Value? {
        index[key].flatMap { slots[$0]?.value }
    }

    /// Sets the value of `key` (its size `bytes`) as the most recently used, and returns how many
    /// entries were evicted to make room. A value larger than the whole capacity is not kept.
    @discardableResult
    mutating func set(_ value: Value, bytes size: Int, for key: Key) -> Int {
        remove(key)
        guard size <= capacity else { return 0 }
        var evicted = 0
        while bytes + size > capacity, let last = oldest, let victim = slots[last]?.key {
            remove(victim)
            evicted += 1
        }
        let slot =
            free.popLast()
            ?? {
                slots.append(nil)
                return slots.count - 1
            }()
        slots[slot] = Slot(key: key, value: value, bytes: size, newer: nil, older: newest)
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
        index[key] = slot
        bytes += size
        return evicted
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        guard let slot = index.removeValue(forKey: key), let removed = slots[slot] else { return nil }
        unlink(slot)
        slots[slot] = nil
        free.append(slot)
        bytes -= removed.bytes
        return removed.value
    }

    /// Removes every entry whose key and value match.
    mutating func removeAll(where matches: (Key, Value) -> Bool) -> Int {
        let doomed = index.compactMap { key, slot in slots[slot].flatMap { matches(key, $0.value) ? key : nil } }
        for key in doomed { remove(key) }
        return doomed.count
    }

    private mutating func touch(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        slots[slot]?.older = newest
        slots[slot]?.newer = nil
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot]?.newer
        let older = slots[slot]?.older
        if let newer { slots[newer]?.older = older } else { newest = older }
        if let older { slots[older]?.newer = newer } else { oldest = newer }
        slots[slot]?.newer = nil
        slots[slot]?.older = nil
    }
}

extension MemoryLRU: Sendable where Key: Sendable, Value: Sendable {}
extension MemoryLRU.Slot: Sendable where Key: Sendable, Value: Sendable {}
