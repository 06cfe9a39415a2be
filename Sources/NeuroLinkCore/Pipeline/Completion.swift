import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// How the upstream part of a request ended well: what the innermost stage returns, and what the
/// request's `finish` chunk and result are made from.
///
/// Its fields live on the heap (``HeapBox``): a result is held in the frame of every stage a request
/// passes through for as long as a stream stays open, and inline it would cost some 450 bytes in each.
public struct Completion: Sendable {
    struct Fields: Sendable {
        var finishReason: FinishReason
        var usage: Usage?
        var provider: String
        var model: String
        var route: RouteInfo
        var evaluation: EvaluationOutcome?
        var cache: CacheInfo?
        var steps: [ToolStep]?
    }

    private var fields: HeapBox<Fields>

    public var finishReason: FinishReason {
        get { fields.value.finishReason }
        _modify { yield &fields.value.finishReason }
    }
    /// Summed over every upstream call whose output the answer kept.
    public var usage: Usage? {
        get { fields.value.usage }
        _modify { yield &fields.value.usage }
    }
    /// The provider and model that answered (the last ones, when several did).
    public var provider: String {
        get { fields.value.provider }
        _modify { yield &fields.value.provider }
    }
    public var model: String {
        get { fields.value.model }
        _modify { yield &fields.value.model }
    }
    public var route: RouteInfo {
        get { fields.value.route }
        _modify { yield &fields.value.route }
    }
    /// With `enableEvaluation`: the judge's verdict on the answer.
    public var evaluation: EvaluationOutcome? {
        get { fields.value.evaluation }
        _modify { yield &fields.value.evaluation }
    }
    /// How the response cache took part (`nil` when it is off).
    public var cache: CacheInfo? {
        get { fields.value.cache }
        _modify { yield &fields.value.cache }
    }
    /// When the tool loop ran tools: every model turn.
    public var steps: [ToolStep]? {
        get { fields.value.steps }
        _modify { yield &fields.value.steps }
    }

    public init(finishReason: FinishReason, usage: Usage?, provider: String, model: String, route: RouteInfo) {
        fields = HeapBox(
            Fields(
                finishReason: finishReason,
                usage: usage,
                provider: provider,
                model: model,
                route: route,
                evaluation: nil,
                cache: nil,
                steps: nil
            )
        )
    }
}

/// Durations as the protocol reports them: milliseconds with microsecond precision.
enum Milliseconds {
    static func of(_ duration: Duration) -> Double {
        (duration.millisecondsValue * 1000).rounded() / 1000
    }
}
