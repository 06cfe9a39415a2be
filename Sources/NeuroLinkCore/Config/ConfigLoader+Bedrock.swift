import NeuroLinkProviders
import Yams

/// Bedrock's settings: an AWS region instead of a base URL, and AWS credentials instead of an API key.
extension ConfigLoader {
    /// The model environment-only mode uses for Bedrock when `BEDROCK_MODEL` is not set.
    static let defaultBedrockModel = "anthropic.claude-3-5-haiku-20241022-v1:0"

    /// Completes a parsed `type: bedrock` entry.
    ///
    /// - The region (`region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`) is required: it is part of
    ///   the signature even when `base_url` points elsewhere, and it is stored in `options["region"]`.
    /// - Without `base_url`, the base URL is the region's public endpoint.
    /// - Without an API key (Bedrock API keys are sent as bearer tokens), AWS credentials are
    ///   resolved now, from `aws_profile` or the environment (see ``AWSCredentials/resolve(environment:profile:)``).
    ///   When none are found the provider stays configured but unusable, and status shows where
    ///   they were expected.
    func completeBedrock(_ provider: inout ProviderConfig, node: Node, key: String, reader: YAMLReader) throws(ConfigError) {
        guard let region = AWSRegion.resolve(option: provider.options["region"], environment: environment) else {
            throw reader.error(node, "\(key).region", "is required for type bedrock (or set AWS_REGION)")
        }
        guard AWSRegion.isValid(region) else {
            throw reader.error(node, "\(key).region", "\"\(region.prefix(64))\" is not an AWS region name such as us-east-1")
        }
        provider.options["region"] = region
        if provider.baseURL.isEmpty { provider.baseURL = BedrockAdapter.baseURL(region: region) }
        guard provider.apiKey == nil else { return }
        let profile = provider.options["aws_profile"].flatMap { $0.isEmpty ? nil : $0 }
        if let credentials = AWSCredentials.resolve(environment: environment, profile: profile) {
            provider.awsCredentials = credentials
            provider.credentialSource = .aws(credentials.source)
        } else {
            provider.credentialSource = .aws(profile.map { .profile($0) } ?? .environment)
        }
    }

    /// Environment-only mode's Bedrock provider: present when `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` are set, or `AWS_PROFILE` names a profile of a readable credentials
    /// file. A `~/.aws/credentials` alone does not add it: many machines have one for other tools.
    func environmentBedrockProvider() -> ProviderConfig? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let hasKeys = value("AWS_ACCESS_KEY_ID") != nil && value("AWS_SECRET_ACCESS_KEY") != nil
        guard hasKeys || value("AWS_PROFILE") != nil,
              let credentials = AWSCredentials.resolve(environment: environment) else { return nil }
        let region = AWSRegion.resolve(option: nil, environment: environment).flatMap { AWSRegion.isValid($0) ? $0 : nil }
            ?? "us-east-1"
        return ProviderConfig(
            name: "bedrock", type: .bedrock, baseURL: BedrockAdapter.baseURL(region: region),
            credentialSource: .aws(credentials.source), defaultModel: value("BEDROCK_MODEL") ?? Self.defaultBedrockModel,
            options: ["region": region], awsCredentials: credentials)
    }
}
