import NeuroLinkProtocol

/// One streamed `GenerateContentResponse`. Only the fields the gateway uses are read; the API
/// adds fields freely, and unknown ones are ignored.
struct GeminiResponse: Decodable {
    var candidates: [Candidate]?
    var promptFeedback: PromptFeedback?
    var usageMetadata: UsageMetadata?
    var modelVersion: String?
    /// A google.rpc status, sent in place of a response when the request fails mid-stream.
    var error: GoogleRPCStatus?

    struct Candidate: Decodable {
        var content: Content?
        var finishReason: String?
    }

    struct Content: Decodable {
        var parts: [Part]?
    }

    struct Part: Decodable {
        var text: String?
        /// Set on a summary of the model's thinking.
        var thought: Bool?
        var functionCall: FunctionCall?
    }

    struct FunctionCall: Decodable {
        /// Only some models and Vertex AI send one.
        var id: String?
        var name: String?
        var args: JSONValue?
    }

    struct PromptFeedback: Decodable {
        /// Set when the prompt itself was blocked; no candidates come then.
        var blockReason: String?
    }

    /// Counts are clamped to 0...Int.max whatever number the server sends (see TokenCount).
    struct UsageMetadata: Decodable {
        var promptTokenCount: TokenCount?
        var candidatesTokenCount: TokenCount?
        var thoughtsTokenCount: TokenCount?
        var cachedContentTokenCount: TokenCount?
        var totalTokenCount: TokenCount?
    }
}

/// A google.rpc `Status`, the error shape of every Google API: `{"code","message","status","details"}`.
struct GoogleRPCStatus: Decodable {
    var code: Int?
    var message: String?
    /// The canonical code's name, e.g. `RESOURCE_EXHAUSTED`.
    var status: String?
    /// Typed detail objects, told apart by their `@type`.
    var details: [JSONValue]?

    /// Lenient: an error report that is oddly shaped must still surface as an error.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try? container.decodeIfPresent(Int.self, forKey: .code)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        details = try? container.decodeIfPresent([JSONValue].self, forKey: .details)
    }

    private enum CodingKeys: String, CodingKey { case code, message, status, details }

    /// The `reason` of an `ErrorInfo` detail, e.g. `API_KEY_INVALID`.
    var errorInfoReason: String? {
        detail(ofType: "google.rpc.ErrorInfo")?["reason"]?.stringValue
    }

    /// The `retryDelay` of a `RetryInfo` detail, a protobuf Duration such as `"13s"` or `"1.5s"`.
    var retryDelay: String? {
        detail(ofType: "google.rpc.RetryInfo")?["retryDelay"]?.stringValue
    }

    private func detail(ofType name: String) -> JSONValue? {
        details?.first { $0["@type"]?.stringValue?.hasSuffix("/" + name) == true || $0["@type"]?.stringValue == name }
    }
}
