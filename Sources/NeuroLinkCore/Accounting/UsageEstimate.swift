import NeuroLinkBasics
import NeuroLinkLimits
import NeuroLinkProtocol

/// Token counts for answers whose provider reported none (llama.cpp's server streams no usage,
/// for one), so that costs and rates are never silently zero. The method is the one admission
/// already uses: UTF-8 bytes divided by four, rounded up — the usual figure for English text with
/// the BPE tokenizers of every major model family; it overestimates for most other scripts.
/// Estimated counts are marked `estimated: true` wherever they appear.
public enum UsageEstimate {
    /// The tokens `bytes` of text amount to: admission's default estimator (4 per token).
    public static func tokens(bytes: Int) -> Int {
        TokenEstimator().tokens(characters: bytes)
    }

    /// `reported` when the provider reported usage — its figures are kept as they are, zeros
    /// included; otherwise both sides estimated from the size of their text (`nil` when there was none).
    public static func filling(_ reported: Usage?, promptBytes: Int, answerBytes: Int) -> Usage? {
        guard reported == nil, promptBytes > 0 || answerBytes > 0 else { return reported }
        return Usage(
            inputTokens: tokens(bytes: promptBytes),
            outputTokens: tokens(bytes: answerBytes),
            estimated: true
        )
    }
}
