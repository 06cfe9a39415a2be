import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bedrock's model listing, `GET https://bedrock.{region}.amazonaws.com/foundation-models` —
/// the control-plane host, not the runtime one streams go to — signed for the service `bedrock`.
/// Response: `{"modelSummaries": [{"modelId", "modelName", "providerName",
/// "responseStreamingSupported", "outputModalities", …}]}`.
///
/// `byOutputModality=TEXT` leaves out image and embedding models, and models that cannot stream
/// are dropped, since only streaming text models can serve ConverseStream. The host can be
/// overridden with `options["models_base_url"]` (tests, VPC endpoints).
extension BedrockAdapter {
    /// The option naming the control-plane base URL.
    public static let modelsBaseURLOption = "models_base_url"

    /// The public control-plane endpoint of `region`.
    public static func controlPlaneURL(region: String) -> String {
        "https://bedrock.\(region).amazonaws.com"
    }

    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? {
        guard let region = try? AWSRequestSigning.region(of: endpoint) else { return nil }
        let root =
            endpoint.options[Self.modelsBaseURLOption].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.controlPlaneURL(region: region)
        let call = ProviderCall.get("/foundation-models", query: [ProviderCall.QueryItem("byOutputModality", "TEXT")])
        // Without credentials the request stays unsigned: callers check for credentials before
        // sending, and report them missing rather than the listing unsupported.
        guard endpoint.awsCredentials != nil || endpoint.apiKey != nil else {
            return unsignedRequest(call, root: root, timeouts: timeouts)
        }
        // Only an invalid base URL fails here.
        return try? request(call, root: root, region: region, timeouts: timeouts)
    }

    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] {
        struct Body: Decodable {
            var modelSummaries: [Summary]?
            struct Summary: Decodable {
                var modelId: String
                var modelName: String?
                var providerName: String?
                var responseStreamingSupported: Bool?
            }
        }
        return try ModelListing.decode(Body.self, from: body, provider: endpoint.name).modelSummaries.map { summaries in
            summaries.compactMap { summary in
                guard summary.responseStreamingSupported != false else { return nil }
                return ModelInfo(
                    provider: endpoint.name,
                    id: summary.modelId,
                    ownedBy: summary.providerName,
                    displayName: summary.modelName
                )
            }
        } ?? []
    }
}
