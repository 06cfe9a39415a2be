import Foundation

/// The few fields of a chat-completions request body the upstream acts on.
struct ChatRequestBody {
    var model: String?
    var stream: Bool
    var includeUsage: Bool
    /// An embedding request's `input`: one string or a list.
    var inputs: [String]

    /// Parses `model`, `stream` and `stream_options.include_usage`; `nil` if the body is not a
    /// JSON object.
    init?(_ bytes: [UInt8], path: String = "") {
        guard !bytes.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        model = object["model"] as? String ?? Self.model(fromPath: path)
        stream = object["stream"] as? Bool ?? false
        let options = object["stream_options"] as? [String: Any]
        includeUsage = options?["include_usage"] as? Bool ?? false
        inputs = (object["input"] as? [String]) ?? (object["input"] as? String).map { [$0] } ?? []
    }

    /// Providers that name the model in the URL: Gemini (`/models/{m}:streamGenerateContent`),
    /// Azure (`/deployments/{d}/chat/completions`), Bedrock (`/model/{m}/converse-stream`) and
    /// SageMaker (`/endpoints/{e}/invocations-response-stream`).
    static func model(fromPath path: String) -> String? {
        let clean = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let parts = clean.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() {
            if part.hasPrefix("models"), index + 1 < parts.count, parts[index] == "models" {
                return parts[index + 1].split(separator: ":").first.map(String.init)
            }
            if ["deployments", "model", "endpoints"].contains(part), index + 1 < parts.count {
                return parts[index + 1].removingPercentEncoding ?? parts[index + 1]
            }
        }
        return nil
    }
}
