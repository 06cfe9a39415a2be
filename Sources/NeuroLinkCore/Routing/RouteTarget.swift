import NeuroLinkHTTP

/// The member one upstream attempt goes to: a provider, a model and the limits of the call.
public struct RouteTarget: Sendable {
    public var provider: ProviderRegistry.Entry
    public var model: String
    public var timeouts: TransferTimeouts
    /// Index of the member in its pool.
    public var member: Int
    /// `provider/model`, as status and notices name it.
    public var label: String
}
