import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// How the upstream part of a request ended well: what the innermost stage returns, and what the
/// request's `finish` chunk and result are made from.
public struct Completion: Sendable {
    public var finishReason: FinishReason
    /// Summed over every upstream call whose output the answer kept.
    public var usage: Usage?
    /// The provider and model that answered (the last ones, when several did).
    public var provider: String
    public var model: String
    public var route: RouteInfo
    /// With `enableEvaluation`: the judge's verdict on the answer.
    public var evaluation: EvaluationOutcome?
    /// How the response cache took part (`nil` when it is off).
    public var cache: CacheInfo?
    /// When the tool loop ran tools: every model turn.
    public var steps: [ToolStep]?

    public init(finishReason: FinishReason, usage: Usage?, provider: String, model: String, route: RouteInfo) {
        self.finishReason = finishReason
        self.usage = usage
        self.provider = provider
        self.model = model
        self.route = route
    }
}

/// Durations as the protocol reports them: milliseconds with microsecond precision.
enum Milliseconds {
    static func of(_ duration: Duration) -> Double {
        (duration.millisecondsValue * 1000).rounded() / 1000
    }
}
