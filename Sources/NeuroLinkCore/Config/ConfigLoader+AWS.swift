import NeuroLinkProviders
import Yams

/// What the SigV4-signed provider types (`bedrock`, `sagemaker`) share: a region instead of a
/// host, and AWS credentials instead of an API key.
extension ConfigLoader {
    /// Resolves and stores the region and AWS credentials of a parsed entry; returns the region.
    ///
    /// - The region (`region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`) is required: it is part of
    ///   the signature even when `base_url` points elsewhere, and it is stored in `options["region"]`.
    /// - Unless the entry has an API key (`keepsAPIKey`, Bedrock API keys), AWS credentials are
    ///   resolved now, from `aws_profile` or the environment (see ``AWSCredentials/resolve(environment:profile:)``).
    ///   When none are found the provider stays configured but unusable, and status shows where
    ///   they were expected.
    @discardableResult
    func completeAWS(
        _ provider: inout ProviderConfig,
        node: Node,
        key: String,
        reader: YAMLReader,
        keepsAPIKey: Bool
    ) throws(ConfigError)
        -> String
    {
        let typeName = provider.type.rawValue
        guard let region = AWSRegion.resolve(option: provider.options["region"], environment: environment) else {
            throw reader.error(node, "\(key).region", "is required for type \(typeName) (or set AWS_REGION)")
        }
        guard AWSRegion.isValid(region) else {
            throw reader.error(
                node,
                "\(key).region",
                "\(YAMLReader.shown(region)) is not an AWS region name such as us-east-1"
            )
        }
        provider.options["region"] = region
        if keepsAPIKey, provider.apiKey != nil { return region }
        provider.apiKey = nil
        let profile = provider.options["aws_profile"].flatMap { $0.isEmpty ? nil : $0 }
        if let credentials = AWSCredentials.resolve(environment: environment, profile: profile) {
            provider.awsCredentials = credentials
            provider.credentialSource = .aws(credentials.source)
        } else {
            provider.credentialSource = .aws(profile.map { .profile($0) } ?? .environment)
        }
        return region
    }

    /// Environment-only mode's AWS credentials and region: present when `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` are set, or `AWS_PROFILE` names a profile of a readable credentials
    /// file. A `~/.aws/credentials` alone does not count: many machines have one for other tools.
    /// The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
    func environmentAWS() -> (credentials: AWSCredentials, region: String)? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let hasKeys = value("AWS_ACCESS_KEY_ID") != nil && value("AWS_SECRET_ACCESS_KEY") != nil
        guard hasKeys || value("AWS_PROFILE") != nil,
            let credentials = AWSCredentials.resolve(environment: environment)
        else { return nil }
        let region =
            AWSRegion.resolve(option: nil, environment: environment).flatMap { AWSRegion.isValid($0) ? $0 : nil }
            ?? "us-east-1"
        return (credentials, region)
    }

    /// The entry's keys, for type-specific settings that are not plain strings.
    func entryMapping(_ node: Node) -> [String: Node] {
        guard case .mapping(let mapping) = node else { return [:] }
        var result: [String: Node] = [:]
        for (key, value) in mapping { if let name = key.string { result[name] = value } }
        return result
    }

    /// Refuses `api_key*` keys for types that cannot use an API key.
    func rejectAPIKeys(_ node: Node, key: String, reader: YAMLReader, because reason: String) throws(ConfigError) {
        let map = entryMapping(node)
        if let name = ["api_key_env", "api_key_file", "api_key", "api_key_credential"].first(where: { map[$0] != nil })
        {
            throw reader.error(map[name], "\(key).\(name)", reason)
        }
    }
}
