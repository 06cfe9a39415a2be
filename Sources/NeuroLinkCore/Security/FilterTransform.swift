import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// The content filters as a stage of the transform chain: text and reasoning stream through a
/// ``StreamingContentFilter`` each (exact across chunk boundaries); a `stop` rule ends the answer
/// (``stopRule``), so the upstream call stops and the request finishes with `content_filter`.
///
/// `@unchecked Sendable` because `StreamingContentFilter` holds Swift `Regex`es, which are not
/// `Sendable`: each transform is made for one request and only ever used by that request's task.
struct FilterTransform: StreamTransform, @unchecked Sendable {
    private var text: StreamingContentFilter
    private var reasoning: StreamingContentFilter

    init(rules: ContentFilterRules) throws(ContentFilterError) {
        text = try StreamingContentFilter(rules: rules)
        reasoning = try StreamingContentFilter(rules: rules)
    }

    mutating func text(_ piece: String) -> String { text.feed(piece) }
    mutating func reasoning(_ piece: String) -> String { reasoning.feed(piece) }
    mutating func flush() -> (text: String, reasoning: String) { (text.finish(), reasoning.finish()) }

    var stopRule: String? { text.stop?.ruleID ?? reasoning.stop?.ruleID }

    func report(into outcome: inout SecurityOutcome) {
        if text.replacementCount + reasoning.replacementCount > 0 { outcome.filtered.append("replace") }
        if let rule = stopRule { outcome.filtered.append(rule) }
    }
}
