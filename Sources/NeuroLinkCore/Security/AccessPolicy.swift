import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

extension DaemonConfig.Security {
    /// The first policy that matches `caller` (by tenant name, uid or group), or `nil`.
    public func policy(for caller: Caller) -> SecurityPolicy? {
        policies.first { policy in
            let match = policy.match
            return match.isEmpty || match.tenants.contains(caller.tenant.name)
                || caller.uid.map(match.uids.contains) == true || !match.groups.isDisjoint(with: caller.groups)
        }
    }

    /// The rules for `caller`: its policy's, else the defaults.
    public func rules(for caller: Caller) -> SecurityRules {
        policy(for: caller)?.rules ?? rules
    }

    /// Group names the policies match on: the daemon reads a peer's membership of these when it connects.
    public var policyGroups: Set<String> {
        policies.reduce(into: []) { $0.formUnion($1.match.groups) }
    }

    /// Methods only root and `server.admin_group` may call, whatever the policies say.
    public static let adminMethods: Set<String> = [Method.auditReport, Method.auditVerify]

    /// Why `caller` may not call `method`, or `nil` when it may.
    public func refusal(method: String, caller: Caller) -> RPCError? {
        if Self.adminMethods.contains(method), !caller.isAdmin {
            return .forbidden("\(method) is for root and server.admin_group only", rule: "admin")
        }
        // A tool's result only reaches the caller's own running request, which was allowed.
        guard method != Method.toolResult, let policy = policy(for: caller), let rule = policy.methods.refusal(method)
        else { return nil }
        return .forbidden("policy \(policy.name): method \(method) is not allowed (\(rule))", rule: policy.name)
    }
}

extension RPCError {
    /// A `forbidden` error naming the rule that refused (a policy's name, or `admin`).
    public static func forbidden(_ message: String, rule: String) -> RPCError {
        var error = RPCError(.forbidden, message)
        error.data.rule = rule
        return error
    }
}
