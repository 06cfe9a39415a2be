import Logging
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// Conversation memory, between validation and security: a request with `context.sessionId`
/// (and `memory: true`, or a tenant in `memory.default_for`) gets its session's history put
/// before its own messages, trimmed to `memory.max_tokens` (oldest whole turns first; system
/// messages kept). When the answer succeeds, the request's new messages and the answer are added
/// to the session — as the security stage left them, so redacted input stays redacted.
public struct MemoryStage: RequestStage {
    let store: (any ConversationMemoryStore)?
    let settings: DaemonConfig.Memory
    let logger: Logger

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        let session: String
        switch self.session(of: request) {
        case .failure(let error):
            request.refusal = .rejected
            return .failure(error)
        case .success(nil):
            return await next(&request, &output)
        case .success(let id?):
            session = id
        }
        guard let store else { return await next(&request, &output) }
        let turn = await prepend(store, session: session, &request)
        let result = await next(&request, &output)
        if case .success(let completion) = result, completion.finishReason != .error, let turn {
            await remember(store, session: session, turn: turn, answer: output.text, request: request)
        }
        return result
    }

    /// The session the request uses memory of, `nil` when it does not.
    /// Skipped unless the request has a session to use (or asks for memory wrongly, which `run` refuses).
    public func takesPart(in request: PipelineRequest) -> Bool {
        if case .success(nil) = session(of: request) { return false }
        return true
    }

    private func session(of request: PipelineRequest) -> Result<String?, RPCError> {
        let params = request.params
        guard params.memory ?? settings.isDefault(for: request.tenant.name) else { return .success(nil) }
        guard let id = params.sessionId else {
            guard params.memory == true else { return .success(nil) }
            return .failure(RPCError(.invalidParams, "params.memory needs params.context.sessionId"))
        }
        guard MemorySessionParams.isValid(id) else {
            return .failure(
                RPCError(.invalidParams, "params.context.sessionId must be 1-128 characters without control characters")
            )
        }
        return .success(settings.enabled ? id : nil)
    }

    /// Puts the session's history before the request's messages; the range of the request's own
    /// messages afterwards, or `nil` when the store failed (the request goes on without memory).
    @inline(never)
    private func prepend(
        _ store: any ConversationMemoryStore,
        session: String,
        _ request: inout PipelineRequest
    ) async -> Range<Int>? {
        guard var prepared = request.prepared else { return nil }
        let history: [ChatMessage]
        do {
            history = try await store.history(
                tenant: request.tenant.name,
                session: session,
                maxTokens: settings.maxTokens,
                besides: prepared.chat.messages
            )
        } catch {
            logger.warning("memory: the session's history cannot be read", metadata: ["error": "\(error)"])
            return nil
        }
        var messages = prepared.chat.messages
        let systemCount = messages.prefix { $0.role == "system" }.count
        messages.insert(contentsOf: history, at: systemCount)
        prepared.chat.messages = messages
        request.prepared = prepared
        return (systemCount + history.count)..<messages.count
    }

    @inline(never)
    private func remember(
        _ store: any ConversationMemoryStore,
        session: String,
        turn: Range<Int>,
        answer: String,
        request: PipelineRequest
    ) async {
        let messages = request.prepared?.chat.messages ?? []
        guard turn.upperBound <= messages.count else { return }
        var new = messages[turn].filter { $0.role == "user" || ($0.role == "assistant" && $0.toolCalls == nil) }
        new.append(ChatMessage(role: "assistant", content: answer))
        do {
            try await store.append(tenant: request.tenant.name, session: session, messages: new, ttlMs: settings.ttlMs)
        } catch {
            logger.warning("memory: the turn cannot be stored", metadata: ["error": "\(error)"])
        }
    }
}
