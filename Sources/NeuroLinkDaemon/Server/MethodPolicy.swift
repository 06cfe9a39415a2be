import NeuroLinkCore
import NeuroLinkProtocol

extension DaemonState {
    /// Why `caller` may not call `method` under the current policies (`forbidden`), or `nil`.
    /// The caller's tenant is resolved as for its requests (without a request's `userId`).
    /// A refusal is logged, counted and audited like a refused request.
    func methodRefusal(_ method: String, caller: Caller) -> RPCError? {
        let security = current.config.security
        guard !security.policies.isEmpty || DaemonConfig.Security.adminMethods.contains(method) else { return nil }
        let resolved = runner.resolveTenant(of: caller, userId: nil)
        guard let refusal = security.refusal(method: method, caller: resolved) else { return nil }
        self.security.denied(method: method, caller: resolved, error: refusal)
        return refusal
    }
}
