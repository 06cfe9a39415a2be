import NeuroLinkCore
import NeuroLinkEmbedding
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The local model serves the semantic tier as it is: its vectors are unit length already.
extension Embedder: TextEmbedder {
    public var identity: String { "local" }
}

extension ResponseCache {
    /// The semantic tier (docs/protocol.md §5.9): embed the last user turn on the worker (or
    /// miss when it is not ready in time), score every prompt of the scope, and serve the most
    /// similar one at or above the threshold that the meaning guard lets through.
    public func similar(_ query: SemanticQuery, now: Double) async -> SemanticOutcome {
        guard let embedder else { return .miss(best: nil, vector: nil) }
        guard let vector = await embedder.embed(query.text, waitingAtMost: query.waitLimit) else {
            state.withLock { state in
                state.stats.semantic?.lookups += 1
                state.stats.semantic?.unavailable += 1
            }
            return .miss(best: nil, vector: nil)
        }
        let scope = semanticScope(query.scope).hex
        await loadScope(scope, now: now)
        let candidates = state.withLock { state in
            state.semantic.nearest(vector, in: scope, now: now, limit: 5)
        }
        var refusal: (similarity: Double, reason: String)?
        var outcome: SemanticOutcome = .miss(best: candidates.first?.similarity, vector: vector)
        for candidate in candidates where candidate.similarity >= query.threshold {
            if let reason = meaningGuard?.refusal(query.text, candidate.text) {
                refusal = refusal ?? (candidate.similarity, reason)
                continue
            }
            if let answer = await answer(candidate.key, maxTokens: query.maxTokens, now: now) {
                outcome = .hit(answer, similarity: candidate.similarity, vector: vector)
                break
            }
        }
        if case .miss = outcome, let refusal {
            outcome = .refused(similarity: refusal.similarity, reason: refusal.reason, vector: vector)
        }
        count(outcome, best: candidates.first?.similarity)
        return outcome
    }

    /// Where prompts of `scope` are indexed: qualified by the embedding model unless it is the
    /// local one (whose scopes predate the qualifier), so that a model change never compares
    /// vectors of two models.
    func semanticScope(_ scope: CacheKey) -> CacheKey {
        guard let embedder, embedder.identity != "local" else { return scope }
        return scope.qualified(by: embedder.identity)
    }

    public func vector(for query: SemanticQuery) async -> [Float]? {
        await embedder?.embed(query.text, waitingAtMost: query.waitLimit)
    }

    private func count(_ outcome: SemanticOutcome, best: Double?) {
        state.withLock { state in
            guard state.stats.semantic != nil else { return }
            state.stats.semantic?.lookups += 1
            switch outcome {
            case .hit: state.stats.semantic?.hits += 1
            case .refused(_, let reason, _): state.stats.semantic?.refusals[reason, default: 0] += 1
            case .miss: break
            }
            if let best {
                let bucket = SemanticStats.bucketBounds.lastIndex { best >= $0 }.map { $0 + 1 } ?? 0
                state.stats.semantic?.bestSimilarity[bucket] += 1
            }
        }
    }

    /// Reads the scope's prompts from disk the first time it is searched.
    private func loadScope(_ scope: String, now: Double) async {
        guard let database, state.withLock({ !$0.semantic.loaded.contains(scope) }) else { return }
        let prompts = (try? await database.prompts(scope: scope, now: now)) ?? []
        state.withLock { state in
            guard state.semantic.loaded.insert(scope).inserted else { return }
            for prompt in prompts {
                state.semantic.add(
                    scope: scope,
                    key: prompt.key,
                    text: prompt.text,
                    vector: prompt.vector,
                    owner: prompt.owner,
                    expiresAt: prompt.expiresAt
                )
            }
        }
    }
}
