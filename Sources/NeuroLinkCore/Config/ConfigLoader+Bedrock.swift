import NeuroLinkProviders
import Yams

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bedrock's settings: an AWS region instead of a base URL, and AWS credentials instead of an API key.
extension ConfigLoader {
    /// The model environment-only mode uses for Bedrock when `BEDROCK_MODEL` is not set.
    static let defaultBedrockModel = "anthropic.claude-3-5-haiku-20241022-v1:0"

    /// Completes a parsed `type: bedrock` entry (see ``completeAWS(_:node:key:reader:keepsAPIKey:)``).
    /// Without `base_url`, the base URL is the region's public endpoint. An API key (Bedrock API
    /// keys are sent as bearer tokens) replaces AWS credentials. `models_base_url` overrides the
    /// control-plane host that lists models.
    func completeBedrock(
        _ provider: inout ProviderConfig,
        node: Node,
        key: String,
        reader: YAMLReader
    ) throws(ConfigError) {
        let region = try completeAWS(&provider, node: node, key: key, reader: reader, keepsAPIKey: true)
        if provider.baseURL.isEmpty { provider.baseURL = BedrockAdapter.baseURL(region: region) }
        if let url = provider.options[BedrockAdapter.modelsBaseURLOption] {
            let map = entryMapping(node)
            guard Self.isHTTPURL(url) else {
                throw reader.error(
                    map["models_base_url"] ?? node,
                    "\(key).models_base_url",
                    "must be an http:// or https:// URL"
                )
            }
            provider.options[BedrockAdapter.modelsBaseURLOption] = Self.trimmingSlashes(url)
        }
    }

    /// Environment-only mode's Bedrock provider, present when AWS credentials are
    /// (see ``environmentAWS()``); `BEDROCK_MODEL` names the default model.
    func environmentBedrockProvider() -> ProviderConfig? {
        guard let (credentials, region) = environmentAWS() else { return nil }
        return ProviderConfig(
            name: "bedrock",
            type: .bedrock,
            baseURL: BedrockAdapter.baseURL(region: region),
            credentialSource: .aws(credentials.source),
            defaultModel: environment["BEDROCK_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultBedrockModel,
            options: ["region": region],
            awsCredentials: credentials
        )
    }

    /// Whether `url` is an absolute `http://` or `https://` URL with a host.
    static func isHTTPURL(_ url: String) -> Bool {
        (url.hasPrefix("http://") || url.hasPrefix("https://")) && URL(string: url)?.host != nil
    }

    static func trimmingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
