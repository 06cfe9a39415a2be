import NeuroLinkProviders
import Yams

/// SageMaker's settings: an endpoint name in a region, AWS credentials, and what the endpoint's
/// container speaks. See ``SageMakerSettings`` for where the adapter finds them.
extension ConfigLoader {
    /// Completes a parsed `type: sagemaker` entry.
    ///
    /// - Region and AWS credentials as for Bedrock (``completeAWS(_:node:key:reader:keepsAPIKey:)``);
    ///   no API key. Without `base_url`, the region's runtime endpoint.
    /// - `endpoint_name`, else `SAGEMAKER_DEFAULT_ENDPOINT`: required.
    /// - `container` (`openai` by default, or `tgi`) and `model_as` (`body` by default,
    ///   `target_model` or `inference_component`) must be known values; `model_as` cannot also
    ///   have a fixed value of the same header.
    /// - Without `default_model`, the endpoint name: SageMaker routes by endpoint, so requests need
    ///   no model of their own.
    func completeSageMaker(
        _ provider: inout ProviderConfig,
        node: Node,
        key: String,
        reader: YAMLReader
    ) throws(ConfigError) {
        try rejectAPIKeys(
            node,
            key: key,
            reader: reader,
            because: "type sagemaker signs requests with AWS credentials "
                + "(region, aws_profile, AWS_* variables); it takes no API key"
        )
        let map = entryMapping(node)
        let region = try completeAWS(&provider, node: node, key: key, reader: reader, keepsAPIKey: false)
        if provider.baseURL.isEmpty { provider.baseURL = SageMakerSettings.baseURL(region: region) }
        typealias Key = SageMakerSettings.Key
        guard let name = provider.options[Key.endpointName] ?? nonEmptyVariable("SAGEMAKER_DEFAULT_ENDPOINT") else {
            throw reader.error(
                node,
                "\(key).endpoint_name",
                "is required for type sagemaker (or set SAGEMAKER_DEFAULT_ENDPOINT)"
            )
        }
        guard SageMakerSettings.isValidEndpointName(name) else {
            throw reader.error(
                map["endpoint_name"] ?? node,
                "\(key).endpoint_name",
                "\(YAMLReader.shown(name)) is not a SageMaker endpoint name (letters, digits and inner '-', at most 63)"
            )
        }
        provider.options[Key.endpointName] = name
        if let container = provider.options[Key.container], SageMakerSettings.Container(rawValue: container) == nil {
            throw reader.error(
                map["container"],
                "\(key).container",
                "must be one of \(SageMakerSettings.Container.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let mode = provider.options[Key.modelAs] {
            guard let modelAs = SageMakerSettings.ModelAs(rawValue: mode) else {
                throw reader.error(
                    map["model_as"],
                    "\(key).model_as",
                    "must be one of \(SageMakerSettings.ModelAs.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let fixed =
                modelAs == .targetModel
                ? Key.targetModel : modelAs == .inferenceComponent ? Key.inferenceComponent : nil
            if let fixed, provider.options[fixed] != nil {
                throw reader.error(
                    map[fixed],
                    "\(key).\(fixed)",
                    "cannot be given with model_as: \(mode), which takes it from the request's model"
                )
            }
        }
        for header in [Key.targetModel, Key.targetVariant, Key.inferenceComponent] {
            if let value = provider.options[header], !SageMakerSettings.isHeaderValue(value) {
                throw reader.error(
                    map[header],
                    "\(key).\(header)",
                    "must be visible ASCII without spaces (it is sent as a header)"
                )
            }
        }
        if provider.defaultModel == nil { provider.defaultModel = name }
    }

    /// Environment-only mode's SageMaker provider: present when `SAGEMAKER_DEFAULT_ENDPOINT` names
    /// an endpoint and AWS credentials are available (see ``environmentAWS()``). It uses the
    /// `openai` container; `SAGEMAKER_MODEL` names the default model (else the endpoint name).
    func environmentSageMakerProvider() -> ProviderConfig? {
        guard let name = nonEmptyVariable("SAGEMAKER_DEFAULT_ENDPOINT"), SageMakerSettings.isValidEndpointName(name),
            let (credentials, region) = environmentAWS()
        else { return nil }
        return ProviderConfig(
            name: "sagemaker",
            type: .sagemaker,
            baseURL: SageMakerSettings.baseURL(region: region),
            credentialSource: .aws(credentials.source),
            defaultModel: nonEmptyVariable("SAGEMAKER_MODEL") ?? name,
            options: ["region": region, SageMakerSettings.Key.endpointName: name],
            awsCredentials: credentials
        )
    }
}
