/// Identifies one phrase-list word: an exact token or a token prefix ("instruct*").
typealias TermID = Int32

/// The words of every phrase list, hashed, with a bit filter in front of the tables.
///
/// Tokens are hashed with 64-bit FNV-1a over their scalars (deterministic across runs, unlike
/// `Hasher`); prefix terms are checked at the lengths some prefix term has. Most tokens of a
/// prompt are in no list, and the filter answers those with one bit test.
struct TermIndex: Sendable {
    private var exact = HashTable()
    private var prefix = HashTable()
    private var prefixLengths: UInt64 = 0
    /// Longest exact term, in scalars: a longer token cannot match one.
    private var longestExact = 0
    private var filter = [UInt64](repeating: 0, count: TermIndex.filterWords)
    private(set) var count: Int32 = 0

    private static let filterWords = 1 << 10
    private static let longestPrefix = 63

    /// The id of `scalars` as an exact word or a prefix, adding it if new; nil for a prefix too
    /// long to index.
    mutating func intern(_ scalars: [UInt32], isPrefix: Bool) -> TermID? {
        let hash = TermIndex.hash(scalars)
        if isPrefix {
            guard scalars.count <= TermIndex.longestPrefix else { return nil }
            if let known = prefix.value(for: hash) { return known }
            prefix.insert(count, for: hash)
            prefixLengths |= 1 << UInt64(scalars.count)
        } else {
            if let known = exact.value(for: hash) { return known }
            exact.insert(count, for: hash)
            longestExact = max(longestExact, scalars.count)
        }
        setFilterBit(hash)
        count += 1
        return count - 1
    }

    /// Appends the terms `scalars` matches to `hits`: its exact term and every prefix term.
    func lookUp<Scalars: Collection>(_ scalars: Scalars, into hits: inout [TermID]) where Scalars.Element == UInt32 {
        var hash = TermIndex.offsetBasis
        var length = 0
        for value in scalars {
            hash = (hash ^ UInt64(value)) &* TermIndex.prime
            length += 1
            // Past the longest term nothing can match (a base64 blob is one huge token).
            if length > TermIndex.longestPrefix, length > longestExact { return }
            guard length <= TermIndex.longestPrefix, prefixLengths & (1 << UInt64(length)) != 0 else { continue }
            if filterContains(hash), let id = prefix.value(for: hash) { hits.append(id) }
        }
        if length <= longestExact, filterContains(hash), let id = exact.value(for: hash) { hits.append(id) }
    }

    static func hash<Scalars: Sequence>(_ scalars: Scalars) -> UInt64 where Scalars.Element == UInt32 {
        var hash = offsetBasis
        for value in scalars { hash = (hash ^ UInt64(value)) &* prime }
        return hash
    }

    /// The hash of a sequence extended by `value`.
    static func hash(adding value: UInt32, to hash: UInt64) -> UInt64 {
        (hash ^ UInt64(value)) &* prime
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    private mutating func setFilterBit(_ hash: UInt64) {
        let bit = Int(truncatingIfNeeded: (hash >> 40) & UInt64(TermIndex.filterWords * 64 - 1))
        filter[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    private func filterContains(_ hash: UInt64) -> Bool {
        let bit = Int(truncatingIfNeeded: (hash >> 40) & UInt64(TermIndex.filterWords * 64 - 1))
        return filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }
}

/// Open addressing from a 64-bit hash (already well mixed) to a term id; no rehashing, so a
/// lookup is a few array reads.
struct HashTable: Sendable {
    private var keys = [UInt64](repeating: 0, count: 16)
    private var values = [TermID](repeating: -1, count: 16)
    private var used = 0

    func value(for key: UInt64) -> TermID? {
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while values[slot] >= 0 {
            if keys[slot] == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(_ value: TermID, for key: UInt64) {
        if (used + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while values[slot] >= 0 {
            if keys[slot] == key {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        used += 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [TermID](repeating: -1, count: oldKeys.count * 2)
        used = 0
        for (key, value) in zip(oldKeys, oldValues) where value >= 0 { insert(value, for: key) }
    }
}

/// The terms each token of a text matches, in one flat buffer with per-token offsets.
///
/// A class over manually allocated buffers: the matcher reads these in its innermost loops,
/// where array slices would cost reference counting on every access.
final class TokenTerms {
    private let offsets: UnsafeMutableBufferPointer<Int32>
    private let terms: UnsafeMutableBufferPointer<TermID>

    init(_ text: FoldedText, index: TermIndex) {
        var offsets: [Int32] = []
        var terms: [TermID] = []
        offsets.reserveCapacity(text.tokens.count + 1)
        offsets.append(0)
        var leet: [UInt32] = []
        for token in text.tokens {
            let scalars = text.scalars(of: token)
            index.lookUp(scalars, into: &terms)
            // "1gn0r3": read digits as letters, but only in short words that mix both.
            if token.flags.contains(.hasDigit), token.flags.contains(.hasLetter), token.length <= 32 {
                leet.removeAll(keepingCapacity: true)
                leet.append(contentsOf: scalars.lazy.map(ScalarFolding.leetLetter))
                index.lookUp(leet, into: &terms)
            }
            offsets.append(Int32(terms.count))
        }
        self.offsets = UnsafeMutableBufferPointer.allocate(capacity: offsets.count)
        _ = self.offsets.initialize(fromContentsOf: offsets)
        self.terms = UnsafeMutableBufferPointer.allocate(capacity: max(terms.count, 1))
        _ = self.terms.initialize(fromContentsOf: terms)
        isEmpty = terms.isEmpty
    }

    deinit {
        offsets.deallocate()
        terms.deallocate()
    }

    /// Whether no token matches any term.
    let isEmpty: Bool

    /// The terms token `token` matches; valid while this object lives.
    func terms(at token: Int) -> UnsafeBufferPointer<TermID> {
        let start = Int(offsets[token])
        let end = Int(offsets[token + 1])
        return UnsafeBufferPointer(rebasing: terms[start..<end])
    }

    func contains(_ term: TermID, at token: Int) -> Bool {
        terms(at: token).contains(term)
    }
}
