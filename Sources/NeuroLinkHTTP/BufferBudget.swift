import NeuroLinkBasics

/// Bookkeeping for the body bytes that in-flight transfers hold for consumers slower than their
/// upstream, and the rules that bound them: each stream to `streamLimit`, all of them together to
/// `limit`. Pure state, no I/O and no clock: the curl loop owns one and consults it on its own
/// thread; tests drive it directly.
///
/// Rules, applied by ``admit(_:bytes:)``:
/// - A piece going into an empty buffer is always taken. A stream whose consumer keeps up therefore
///   never starves, whatever the others hold; the price is that the total can exceed `limit` by at
///   most one piece per stream that had nothing buffered.
/// - Otherwise a piece is refused when it would take its stream above `streamLimit`, or the total
///   above `limit`. A refused piece is not counted: the transfer pauses and libcurl delivers the
///   same bytes again after the resume.
/// - When a piece would take the total above `limit`, the heaviest streams are held back first:
///   the streams holding the most are marked, largest first, until what they hold covers the excess
///   over the resume line. A marked stream is refused even when a piece would fit, so what the
///   others drain goes to the light streams; it is unmarked once its own consumer has drained it.
/// - Once the total falls below the resume line (`resumeRatio` of `limit`), every stream refused
///   for the budget's sake is let go at once, lightest first. The gap between the two lines keeps
///   streams from flapping between paused and running.
struct BufferBudget<Key: Hashable> {
    enum Decision: Hashable {
        case accept
        /// The stream's own buffer is full.
        case refuseStream
        /// The daemon-wide budget is full, or the stream is held back as one of the heaviest.
        case refuseBudget
    }

    /// Most bytes all streams may hold together.
    let limit: Int
    /// Most bytes one stream may hold.
    let streamLimit: Int
    /// Streams refused for the budget are let go once the total is below this.
    let resumeLine: Int

    /// Bytes held by all streams.
    private(set) var total = 0
    /// Bytes each stream holds; a stream holding nothing has no entry.
    private(set) var held: [Key: Int] = [:]
    /// Streams held back for being the heaviest.
    private(set) var heavy: Set<Key> = []
    /// Bytes the `heavy` streams hold, kept up to date so the common "already covered" check is O(1).
    private var heavyBytes = 0
    /// Streams refused a piece for the budget's sake and waiting to be let go.
    private(set) var waiting: Set<Key> = []

    init(limit: Int, streamLimit: Int, resumeRatio: Double = 0.9) {
        self.limit = max(1, limit)
        self.streamLimit = max(1, streamLimit)
        resumeLine = min(self.limit, max(0, Int(saturating: Double(self.limit) * resumeRatio)))
    }

    /// Whether the budget is holding any stream back: while it is, the owner must keep the totals
    /// exact (hear about every drain) to notice when it can let them go.
    var isHoldingBack: Bool { !heavy.isEmpty || !waiting.isEmpty }

    /// Streams refused or marked by the budget right now.
    var heldBackCount: Int { heavy.union(waiting).count }

    /// Whether adding `bytes` would take the total above the limit.
    func wouldExceed(adding bytes: Int) -> Bool { total + bytes > limit }

    /// Decides on a piece of `bytes` for `key` and counts it when accepted.
    mutating func admit(_ key: Key, bytes: Int) -> Decision {
        guard bytes > 0 else { return .accept }
        let mine = held[key] ?? 0
        let over = total + bytes > limit
        if over { holdBackHeaviest(covering: total + bytes - resumeLine) }
        if mine > 0 {
            if mine + bytes > streamLimit { return .refuseStream }
            if over || heavy.contains(key) {
                waiting.insert(key)
                return .refuseBudget
            }
        }
        set(key, mine + bytes, from: mine)
        if !waiting.isEmpty { waiting.remove(key) }
        return .accept
    }

    /// Records what `key` holds now (its consumer drained some or all of it).
    mutating func update(_ key: Key, held bytes: Int) {
        set(key, max(0, bytes))
        // Drained: no longer among the heaviest. It gets one piece into its empty buffer, then
        // competes like any other stream.
        if bytes <= 0, !heavy.isEmpty { heavy.remove(key) }
    }

    /// Forgets `key` (its transfer ended).
    mutating func remove(_ key: Key) {
        set(key, 0)
        heavy.remove(key)
        waiting.remove(key)
    }

    /// When the total is below the resume line, lets every held-back stream go: returns those
    /// refused a piece (to be resumed), lightest first, and clears all marks. Otherwise returns
    /// nothing.
    mutating func release() -> [Key] {
        guard isHoldingBack, total < resumeLine else { return [] }
        let keys = waiting.sorted { (held[$0] ?? 0) < (held[$1] ?? 0) }
        heavy.removeAll()
        heavyBytes = 0
        waiting.removeAll()
        return keys
    }

    /// `old`, when the caller has just looked it up: every lookup hashes the key, several times
    /// per piece otherwise (the sets too, empty as they nearly always are).
    private mutating func set(_ key: Key, _ bytes: Int, from old: Int? = nil) {
        let old = old ?? held[key] ?? 0
        guard old != bytes else { return }
        total += bytes - old
        if !heavy.isEmpty, heavy.contains(key) { heavyBytes += bytes - old }
        held[key] = bytes > 0 ? bytes : nil
    }

    /// Marks the heaviest unmarked streams until the marked ones hold at least `excess` bytes (or
    /// none is left). One linear scan per stream marked: usually one, never a sort of all streams.
    private mutating func holdBackHeaviest(covering excess: Int) {
        while heavyBytes < excess {
            var heaviest: (key: Key, bytes: Int)?
            for (key, bytes) in held where bytes > (heaviest?.bytes ?? 0) && !heavy.contains(key) {
                heaviest = (key, bytes)
            }
            guard let heaviest else { return }
            heavy.insert(heaviest.key)
            heavyBytes += heaviest.bytes
        }
    }
}
