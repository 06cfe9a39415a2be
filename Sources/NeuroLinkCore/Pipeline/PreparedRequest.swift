import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// A request after validation and routing: which provider, which model, what to send.
public struct PreparedRequest: Sendable {
    public var provider: ProviderRegistry.Entry
    public var chat: ChatRequest
    public var timeouts: TransferTimeouts
    /// Caller context, kept for analytics.
    public var context: [String: JSONValue]?
    /// Why this provider was chosen.
    public var route: RouteInfo
}
