import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// A request after validation and routing: the pool it goes through and what to send.
public struct PreparedRequest: Sendable {
    /// The configured pool the request named, or the pool of one of the provider it named.
    public var pool: Router.Pool
    /// The conversation; each attempt sets the model of the member it goes to.
    public var chat: ChatRequest
    /// The request's own `timeoutMs` (replaces every member's total timeout).
    public var requestTimeoutMs: Int?
    public var requiredCapabilities: Set<String>
    public var continueOnFailure: Bool
    /// Order in the admission queue (0–9), when priorities are enabled.
    public var priority: Int?
    /// The members the request may use; `nil` for all (a requested model narrows a pool).
    public var allowedMembers: Set<Int>?
    /// Caller context, kept for analytics.
    public var context: [String: JSONValue]?
    /// Why this pool or provider was chosen.
    public var route: RouteInfo

    /// UTF-8 bytes of the conversation's text: what token estimates start from.
    public var promptBytes: Int { chat.messages.reduce(0) { $0.addingSaturating($1.content.utf8.count) } }
}
