import Foundation

/// The few fields of a chat-completions request body the upstream acts on.
struct ChatRequestBody {
    var model: String?
    var stream: Bool
    var includeUsage: Bool

    /// Parses `model`, `stream` and `stream_options.include_usage`; `nil` if the body is not a
    /// JSON object.
    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        model = object["model"] as? String
        stream = object["stream"] as? Bool ?? false
        let options = object["stream_options"] as? [String: Any]
        includeUsage = options?["include_usage"] as? Bool ?? false
    }
}
