/// A value kept on the heap and copied on write: a value type holding its large fields in one keeps every
/// copy of it one pointer wide.
///
/// Why it matters: an async function's frame holds every value that lives across a suspension point, and a
/// request's stages nest one inside the next, each frame holding a result or error in flight. With their
/// fields boxed, those values stop costing hundreds of bytes per frame for the whole life of every open
/// stream.
public struct HeapBox<Value: Sendable>: @unchecked Sendable {
    // Sendable because the storage is never mutated while shared: every write goes through `value`'s
    // accessor, which copies a shared storage first.
    private final class Storage {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    public init(_ value: Value) { storage = Storage(value) }

    public var value: Value {
        get { storage.value }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
    }
}

extension HeapBox: Equatable where Value: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.storage === rhs.storage || lhs.value == rhs.value }
}

extension HeapBox: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
