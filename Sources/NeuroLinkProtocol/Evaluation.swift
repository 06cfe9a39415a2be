/// A judge model's scores of an answer, with `enableEvaluation`: sent as an `evaluation` chunk
/// before `finish` and in the result.
public struct Evaluation: Sendable, Hashable, Codable {
    /// How well the answer addresses the question, 1–10.
    public var relevance: Int
    /// How correct the answer is, 1–10.
    public var accuracy: Int
    /// How fully the answer covers what was asked, 1–10.
    public var completeness: Int
    /// The judge's overall score, 1–10.
    public var overall: Int
    /// The judge's reason, in one sentence.
    public var reason: String
    /// `provider/model` of the judge.
    public var judge: String
    /// Milliseconds the judging took.
    public var durationMs: Double

    public init(
        relevance: Int,
        accuracy: Int,
        completeness: Int,
        overall: Int,
        reason: String,
        judge: String,
        durationMs: Double
    ) {
        self.relevance = relevance
        self.accuracy = accuracy
        self.completeness = completeness
        self.overall = overall
        self.reason = reason
        self.judge = judge
        self.durationMs = durationMs
    }

    /// The range every score lies in.
    public static let scores = 1...10
}

/// How an evaluation ended: scores, or why there are none (the request itself still succeeds).
public enum EvaluationOutcome: Sendable, Hashable {
    case scored(Evaluation)
    case failed(EvaluationFailure)

    public var evaluation: Evaluation? {
        if case .scored(let evaluation) = self { evaluation } else { nil }
    }

    /// Why there are no scores (`evaluationError` on the wire).
    public var error: String? {
        if case .failed(let failure) = self { failure.message } else { nil }
    }
}

/// Why an answer has no scores: a kind for records and reports, and a message for the client.
public struct EvaluationFailure: Sendable, Hashable {
    /// `no_text` (nothing to judge), `judge_error` (the judge's request failed), `timeout`
    /// (`evaluation.timeout_ms` passed) or `invalid_verdict` (the judge's answer is not a valid
    /// evaluation).
    public var kind: String
    public var message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A failure known only by its message, as a client receives it.
    public init(message: String) {
        self.init(kind: "judge_error", message: message)
    }
}
