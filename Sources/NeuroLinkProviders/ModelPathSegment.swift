import NeuroLinkProtocol

/// A request's model as part of an upstream URL's path — Bedrock (`/model/{id}/converse-stream`), Azure
/// (`/openai/deployments/{name}/…`), Google AI (`/models/{name}:…`) and Vertex AI (`…/models/{name}:…`).
///
/// The model comes from the client, so it must not be able to move the request to another path: a
/// `.` or `..` segment (which HTTP stacks resolve, so `/model/../converse-stream` becomes
/// `/converse-stream`), a `/` where the provider has no use for one, `?`, `#` and control characters
/// are refused with `invalid_params` before anything is sent. Everything outside RFC 3986's unreserved
/// characters is then percent-encoded (the same encoding SigV4 signs, byte for byte).
public enum ModelPathSegment {
    /// Checks `model` for use in a URL path; `allowsSlash` only for Bedrock, whose ARNs contain `/`
    /// (sent encoded as `%2F`).
    ///
    /// - Throws: `invalid_params` naming the provider and the rule broken (not the model, which may
    ///   hold control characters).
    public static func validate(_ model: String, provider: String, allowsSlash: Bool) throws(RPCError) {
        if let problem = problem(model, allowsSlash: allowsSlash) {
            throw RPCError(.invalidParams, "\(provider): the model name cannot be used in the request URL: \(problem)")
        }
    }

    /// `model` checked with ``validate(_:provider:allowsSlash:)``, then percent-encoded as one path segment.
    public static func encoded(_ model: String, provider: String, allowsSlash: Bool) throws(RPCError) -> String {
        try validate(model, provider: provider, allowsSlash: allowsSlash)
        return SigV4URIEncoding.encode(model)
    }

    /// Which rule `model` breaks, or `nil` when it may go into a path.
    static func problem(_ model: String, allowsSlash: Bool) -> String? {
        if model.isEmpty { return "it is empty" }
        if model.unicodeScalars.contains(where: isControl) { return "it contains a control character" }
        if model.contains("?") || model.contains("#") { return "it contains '?' or '#'" }
        if !allowsSlash, model.contains("/") { return "it contains '/'" }
        let segments = model.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == "." || $0 == ".." }) { return "it has a '.' or '..' path segment" }
        return nil
    }

    /// C0 and C1 controls and DEL, plus the Unicode line and paragraph separators.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
