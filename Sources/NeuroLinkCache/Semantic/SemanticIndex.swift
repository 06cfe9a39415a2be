import NeuroLinkCore

/// The prompts of stored answers, by scope: their texts (for the meaning guard), unit vectors in
/// one contiguous matrix (scored with SIMD dot products), and the exact keys of their answers.
/// Each scope keeps at most `capacity` prompts; the tenth that expires first goes when it is full.
/// A scope's vectors come from one model (the model is part of the scope), so they all have the
/// length of its first; a vector of another length is not added and matches nothing.
struct SemanticIndex: Sendable {
    struct Scope: Sendable {
        var keys: [String] = []
        var texts: [String] = []
        var owners: [CacheOwner] = []
        var expiresAt: [Double] = []
        /// `keys.count` rows of `dimensions` floats.
        var vectors: [Float] = []
        var dimensions = 0
        /// Where each key's row is.
        var rows: [String: Int] = [:]
    }

    let capacity: Int
    private(set) var scopes: [String: Scope] = [:]
    /// Scopes read from disk (or known to have nothing there).
    var loaded: Set<String> = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { scopes.values.reduce(0) { $0 + $1.keys.count } }
    /// Bytes of vectors and texts, roughly.
    var bytes: Int {
        scopes.values.reduce(0) { total, scope in
            total + scope.vectors.count * 4 + scope.texts.reduce(0) { $0 + $1.utf8.count + 64 }
        }
    }

    /// Adds (or replaces) the prompt of the answer stored under `key`.
    mutating func add(
        scope: String,
        key: String,
        text: String,
        vector: [Float],
        owner: CacheOwner,
        expiresAt: Double
    ) {
        guard !vector.isEmpty, scopes[scope].map({ $0.dimensions == vector.count }) ?? true else { return }
        // In place: a copy of the scope (its whole matrix) per prompt made adding O(n).
        scopes[scope, default: Scope()].add(
            key: key,
            text: text,
            vector: vector,
            owner: owner,
            expiresAt: expiresAt,
            capacity: capacity
        )
    }

    /// The prompts of `scope` most similar to `vector`, best first, with their similarity.
    func nearest(
        _ vector: [Float],
        in scope: String,
        now: Double,
        limit: Int
    ) -> [(key: String, text: String, similarity: Double)] {
        guard let entries = scopes[scope], !entries.keys.isEmpty, vector.count == entries.dimensions else { return [] }
        let rows = entries.keys.count
        var scores = [Float](repeating: 0, count: rows)
        // SIMD dot products on the caller's thread: OpenBLAS is the embedding thread's alone.
        entries.vectors.withUnsafeBufferPointer { matrix in
            vector.withUnsafeBufferPointer { query in
                for row in 0..<rows { scores[row] = Self.dot(matrix, row * vector.count, query) }
            }
        }
        // One pass keeping the best `limit` rows: no sort of the whole scope.
        var best: [(row: Int, score: Float)] = []
        best.reserveCapacity(limit + 1)
        for row in 0..<rows where entries.expiresAt[row] > now {
            let score = scores[row]
            guard best.count < limit || score > best[best.count - 1].score else { continue }
            let at = best.firstIndex { $0.score < score } ?? best.count
            best.insert((row, score), at: at)
            if best.count > limit { best.removeLast() }
        }
        return best.map { (entries.keys[$0.row], entries.texts[$0.row], Double($0.score)) }
    }

    /// The dot product of `query` and the row of `matrix` starting at `offset`, 16 lanes at a time
    /// (384, 768, 1024, 1536 and 3072 are multiples of 16), the rest one by one.
    static func dot(
        _ matrix: UnsafeBufferPointer<Float>,
        _ offset: Int,
        _ query: UnsafeBufferPointer<Float>
    ) -> Float {
        guard let row = matrix.baseAddress.map({ UnsafeRawPointer($0 + offset) }),
            let other = query.baseAddress.map(UnsafeRawPointer.init)
        else { return 0 }
        let stride = MemoryLayout<SIMD16<Float>>.stride
        let lanes = query.count / 16
        var sum = SIMD16<Float>()
        for lane in 0..<lanes {
            sum +=
                row.loadUnaligned(fromByteOffset: lane * stride, as: SIMD16<Float>.self)
                * other.loadUnaligned(fromByteOffset: lane * stride, as: SIMD16<Float>.self)
        }
        var total = sum.sum()
        for column in (lanes * 16)..<query.count { total += matrix[offset + column] * query[column] }
        return total
    }

    /// Removes the prompts of the given answers' keys, or those whose owner matches.
    mutating func remove(where matches: (String, CacheOwner, Double) -> Bool) {
        for name in Array(scopes.keys) {
            scopes[name]?.remove(where: matches)
            if scopes[name]?.keys.isEmpty == true { scopes[name] = nil }
        }
    }
}

extension SemanticIndex.Scope {
    mutating func add(key: String, text: String, vector: [Float], owner: CacheOwner, expiresAt: Double, capacity: Int) {
        if keys.isEmpty { dimensions = vector.count }
        if let row = rows[key] { remove(row) }
        if keys.count >= capacity { evictOldest(max(1, capacity / 10)) }
        rows[key] = keys.count
        keys.append(key)
        texts.append(text)
        owners.append(owner)
        self.expiresAt.append(expiresAt)
        vectors += vector
    }

    mutating func remove(where matches: (String, CacheOwner, Double) -> Bool) {
        // Highest rows first: removing one moves the last (already checked) row into its place.
        for row in keys.indices.reversed() where matches(keys[row], owners[row], expiresAt[row]) { remove(row) }
    }

    /// Removes row `index` by moving the last row into its place: O(1) but for one vector's copy.
    mutating func remove(_ index: Int) {
        let last = keys.count - 1
        rows[keys[index]] = nil
        if index != last {
            keys[index] = keys[last]
            texts[index] = texts[last]
            owners[index] = owners[last]
            expiresAt[index] = expiresAt[last]
            for column in 0..<dimensions { vectors[index * dimensions + column] = vectors[last * dimensions + column] }
            rows[keys[index]] = index
        }
        keys.removeLast()
        texts.removeLast()
        owners.removeLast()
        expiresAt.removeLast()
        vectors.removeLast(dimensions)
    }

    /// Removes the `count` prompts that expire first (the oldest, for one TTL).
    mutating func evictOldest(_ count: Int) {
        let doomed = expiresAt.indices.sorted { expiresAt[$0] < expiresAt[$1] }.prefix(count)
        // Highest rows first, so that moving the last row into a hole never moves a doomed one.
        for row in doomed.sorted(by: >) { remove(row) }
    }
}
