/// The settings a `sagemaker` provider keeps in ``ProviderEndpoint/options`` (besides `region`),
/// and the checks on values that end up in its URL and headers.
public enum SageMakerSettings {
    /// `options` keys.
    public enum Key {
        /// The endpoint invoked (part of the URL path).
        public static let endpointName = "endpoint_name"
        /// A ``Container`` raw value.
        public static let container = "container"
        /// Sent as `X-Amzn-SageMaker-Target-Model`.
        public static let targetModel = "target_model"
        /// Sent as `X-Amzn-SageMaker-Target-Variant`.
        public static let targetVariant = "target_variant"
        /// Sent as `X-Amzn-SageMaker-Inference-Component`.
        public static let inferenceComponent = "inference_component"
        /// A ``ModelAs`` raw value.
        public static let modelAs = "model_as"
    }

    /// What the endpoint's container speaks, inside SageMaker's event stream.
    public enum Container: String, Sendable, CaseIterable {
        /// OpenAI Chat Completions bodies and `chat.completion.chunk` SSE (vLLM, LMI, TGI's Messages API, …).
        case openai
        /// Text Generation Inference's `/generate_stream`: a prompt in, token events out.
        case tgi
    }

    /// Where a request's `model` goes. SageMaker picks the endpoint by name (`endpoint_name`), so
    /// the model is otherwise only a label; these modes let one endpoint serve several models.
    public enum ModelAs: String, Sendable, CaseIterable {
        /// Only into the `openai` container's body (`model`); a `tgi` body has no model field.
        case body
        /// Also as `X-Amzn-SageMaker-Target-Model`, the model file of a multi-model endpoint.
        case targetModel = "target_model"
        /// Also as `X-Amzn-SageMaker-Inference-Component`, the inference component to invoke.
        case inferenceComponent = "inference_component"
    }

    /// The runtime endpoint of `region`.
    public static func baseURL(region: String) -> String {
        "https://runtime.sagemaker.\(region).amazonaws.com"
    }

    /// SageMaker's endpoint-name rule: letters, digits and inner hyphens, at most 63 characters.
    public static func isValidEndpointName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isAlphanumeric(first),
            isAlphanumeric(last)
        else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// A value that may be sent as a header: visible ASCII, no spaces, at most 1024 bytes, so a
    /// model name can never end a header or start another.
    public static func isHeaderValue(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 1024 && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
