import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// What a tenant's policy allows a `stream` or `generate` request: features, the pool, the
/// members' providers and models (members the policy refuses are taken out of the request's
/// choice; a request left with none is refused), and `maxTokens` (a request that sends none gets
/// the policy's maximum).
struct PolicyCheck {
    let policy: SecurityPolicy

    func refusal(_ params: StreamRequest, _ prepared: inout PreparedRequest) -> RPCError? {
        if let denial = featureRefusal(params) { return denial }
        let pool = prepared.pool
        if pool.configured, let rule = policy.pools.refusal(pool.name) {
            return forbidden("pool \(pool.name) is not allowed (\(rule))")
        }
        var allowed = prepared.allowedMembers ?? Set(pool.members.indices)
        var lastRefusal: String?
        for (index, member) in pool.members.enumerated() where allowed.contains(index) {
            if let rule = policy.providers.refusal(member.entry.config.name) {
                lastRefusal = "provider \(member.entry.config.name) is not allowed (\(rule))"
            } else if let rule = policy.models.refusal(member.model) {
                lastRefusal = "model \(member.model) is not allowed (\(rule))"
            } else {
                continue
            }
            allowed.remove(index)
        }
        if let lastRefusal {
            guard !allowed.isEmpty else { return forbidden(lastRefusal) }
            prepared.allowedMembers = allowed
        }
        if let maximum = policy.maxTokens {
            if let asked = prepared.chat.maxTokens, asked > maximum {
                return forbidden("maxTokens \(asked) is over the policy's max_tokens \(maximum)")
            }
            prepared.chat.maxTokens = prepared.chat.maxTokens ?? maximum
        }
        return nil
    }

    private func featureRefusal(_ params: StreamRequest) -> RPCError? {
        let features = policy.features
        if features.tools == false, params.tools?.isEmpty == false || params.enableTools == true {
            return forbidden("tools are not allowed")
        }
        for tool in params.tools ?? [] where tool.execution == .daemon {
            if let rule = policy.tools.refusal(tool.name) { return forbidden("tool \(tool.name): \(rule)") }
        }
        if features.evaluation == false, params.enableEvaluation == true {
            return forbidden("evaluation is not allowed")
        }
        if features.semanticCache == false, params.cache?.semantic == true {
            return forbidden("the semantic cache is not allowed")
        }
        return nil
    }

    private func forbidden(_ detail: String) -> RPCError {
        .forbidden("policy \(policy.name): \(detail)", rule: policy.name)
    }
}
