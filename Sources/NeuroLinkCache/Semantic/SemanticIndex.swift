import NeuroLinkCore

/// The prompts of stored answers, by scope: their texts (for the meaning guard), unit vectors in
/// one contiguous matrix (scored with SIMD dot products), and the exact keys of their answers. Each scope keeps at most `capacity` prompts; the oldest tenth goes when it is full.
struct SemanticIndex: Sendable {
    struct Scope: Sendable {
        var keys: [String] = []
        var texts: [String] = []
        var owners: [CacheOwner] = []
        var expiresAt: [Double] = []
        /// `keys.count` rows of ``SemanticIndex/dimensions`` floats.
        var vectors: [Float] = []
    }

    static let dimensions = 384
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
        guard vector.count == Self.dimensions else { return }
        var entries = scopes[scope] ?? Scope()
        if let index = entries.keys.firstIndex(of: key) { Self.remove(index, from: &entries) }
        if entries.keys.count >= capacity {
            for _ in 0..<max(1, capacity / 10) where !entries.keys.isEmpty { Self.remove(0, from: &entries) }
        }
        entries.keys.append(key)
        entries.texts.append(text)
        entries.owners.append(owner)
        entries.expiresAt.append(expiresAt)
        entries.vectors += vector
        scopes[scope] = entries
    }

    /// The prompts of `scope` most similar to `vector`, best first, with their similarity.
    func nearest(
        _ vector: [Float],
        in scope: String,
        now: Double,
        limit: Int
    ) -> [(key: String, text: String, similarity: Double)] {
        guard let entries = scopes[scope], !entries.keys.isEmpty, vector.count == Self.dimensions else { return [] }
        let rows = entries.keys.count
        var scores = [Float](repeating: 0, count: rows)
        // SIMD dot products on the caller's thread: OpenBLAS is the embedding thread's alone.
        entries.vectors.withUnsafeBufferPointer { matrix in
            vector.withUnsafeBufferPointer { query in
                for row in 0..<rows { scores[row] = Self.dot(matrix, row * Self.dimensions, query) }
            }
        }
        let live = scores.indices.filter { entries.expiresAt[$0] > now }
        return live.sorted { scores[$0] > scores[$1] }.prefix(limit).map {
            (entries.keys[$0], entries.texts[$0], Double(scores[$0]))
        }
    }

    /// The dot product of `query` and the row of `matrix` starting at `offset`, 16 lanes at a time
    /// (384 is a multiple of 16).
    private static func dot(
        _ matrix: UnsafeBufferPointer<Float>,
        _ offset: Int,
        _ query: UnsafeBufferPointer<Float>
    ) -> Float {
        guard let row = matrix.baseAddress.map({ UnsafeRawPointer($0 + offset) }),
            let other = query.baseAddress.map(UnsafeRawPointer.init)
        else { return 0 }
        let stride = MemoryLayout<SIMD16<Float>>.stride
        var sum = SIMD16<Float>()
        for lane in 0..<(dimensions / 16) {
            sum +=
                row.loadUnaligned(fromByteOffset: lane * stride, as: SIMD16<Float>.self)
                * other.loadUnaligned(fromByteOffset: lane * stride, as: SIMD16<Float>.self)
        }
        return sum.sum()
    }

    /// Removes the prompts of the given answers' keys, or those whose owner matches.
    mutating func remove(where matches: (String, CacheOwner, Double) -> Bool) {
        for (name, var entries) in scopes {
            var index = entries.keys.count - 1
            while index >= 0 {
                if matches(entries.keys[index], entries.owners[index], entries.expiresAt[index]) {
                    Self.remove(index, from: &entries)
                }
                index -= 1
            }
            scopes[name] = entries.keys.isEmpty ? nil : entries
        }
    }

    private static func remove(_ index: Int, from scope: inout Scope) {
        scope.keys.remove(at: index)
        scope.texts.remove(at: index)
        scope.owners.remove(at: index)
        scope.expiresAt.remove(at: index)
        scope.vectors.removeSubrange((index * dimensions)..<((index + 1) * dimensions))
    }
}
