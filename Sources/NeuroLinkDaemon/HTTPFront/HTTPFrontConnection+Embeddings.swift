import NIOCore
import NIOHTTP1
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HTTPFrontConnection {
    /// Most inputs of one `POST /v1/embeddings`.
    static let maxEmbeddingInputs = 256
    /// How long one input may wait for its vector.
    static let embeddingLimit = Duration.seconds(30)

    /// `POST /v1/embeddings`: the vectors of the response cache's embedding model (the local
    /// model, or `cache.semantic.embedding`'s provider), as floats or `encoding_format: base64`.
    func embeddings(_ request: HTTPRequestHead, body: ByteBuffer, tenant: String, _ outbound: Outbound) async {
        let version = request.version
        guard let embedder = daemon.cache?.embedder else {
            let error = OpenAIResponses.body(
                message: "no embedding model is configured (cache.semantic.enabled, cache.semantic.embedding)",
                type: "service_unavailable",
                code: "embeddings_unavailable"
            )
            return await HTTPFrontResponse.json(outbound, version: version, status: .serviceUnavailable, body: error)
        }
        let inputs: [String]
        let base64: Bool
        do throws(RPCError) {
            (inputs, base64) = try Self.embeddingRequest(body)
        } catch {
            return await HTTPFrontResponse.error(outbound, version: version, error)
        }
        let permit: AdmissionPermit
        switch await daemon.admission.admitNow(embeddingAdmission(inputs, tenant: tenant)) {
        case .success(let admitted): permit = admitted
        case .failure(let error):
            return await HTTPFrontResponse.error(outbound, version: version, error)
        }
        let tokens = inputs.reduce(0) { $0 + UsageEstimate.tokens(bytes: $1.utf8.count) }
        let vectors = await Self.vectors(of: inputs, from: embedder, base64: base64)
        // Charged as estimated even when a vector came too late: the work was attempted.
        await daemon.admission.finish(permit, usage: TokenUsage(input: tokens, output: 0))
        guard let vectors else {
            let error = OpenAIResponses.body(
                message: "the embedding model gave no vector in time",
                type: "service_unavailable",
                code: "embeddings_unavailable"
            )
            return await HTTPFrontResponse.json(outbound, version: version, status: .serviceUnavailable, body: error)
        }
        let answer: JSONValue = .object([
            "object": .string("list"), "data": .array(vectors), "model": .string(embedder.identity),
            "usage": .object(["prompt_tokens": .number(Double(tokens)), "total_tokens": .number(Double(tokens))]),
        ])
        await HTTPFrontResponse.json(outbound, version: version, status: .ok, body: answer)
    }

    /// One `embedding` object per input, in order; `nil` when a vector did not come in time.
    private static func vectors(
        of inputs: [String],
        from embedder: any TextEmbedder,
        base64: Bool
    ) async
        -> [JSONValue]?
    {
        var data: [JSONValue] = []
        for (index, text) in inputs.enumerated() {
            guard let vector = await embedder.embed(text, waitingAtMost: embeddingLimit) else { return nil }
            let embedding: JSONValue =
                base64 ? .string(Self.base64(vector)) : .array(vector.map { .number(Double($0)) })
            data.append(
                .object(["object": .string("embedding"), "index": .number(Double(index)), "embedding": embedding])
            )
        }
        return data
    }

    /// What the limits see of an embeddings request: the key's tenant and, when the vectors come
    /// from a provider, that provider as the member (the local model is no provider: only the
    /// global and tenant limits apply to it).
    private func embeddingAdmission(_ inputs: [String], tenant: String) -> AdmissionRequest {
        let member: String
        switch daemon.current.config.cache.semantic.embedding {
        case .provider(let name, _): member = name
        case .local: member = Self.localEmbeddingMember
        }
        let characters = inputs.reduce(0) { $0 + $1.utf8.count }
        return AdmissionRequest(
            tenant: TenantKey(tenant),
            member: member,
            inputCharacters: characters,
            maxOutputTokens: 0
        )
    }

    /// The member name the local embedding model's requests are admitted under: not a name anyone
    /// gives a provider, so no provider's limits apply to it.
    static let localEmbeddingMember = "(local embedding model)"

    /// The inputs (a string or a list of 1-256 non-empty strings) and whether base64 is asked for.
    static func embeddingRequest(_ body: ByteBuffer) throws(RPCError) -> ([String], Bool) {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch {
            throw RPCError(.parseError, "the body is not valid JSON: \(error)")
        }
        let input = json["input"]
        let items = input?.arrayValue ?? (input.map { [$0] } ?? [])
        let texts = items.compactMap(\.stringValue)
        guard !texts.isEmpty, texts.count == items.count, texts.count <= maxEmbeddingInputs,
            texts.allSatisfy({ !$0.isEmpty })
        else {
            throw RPCError(.invalidParams, "input must be a non-empty string or 1-\(maxEmbeddingInputs) of them")
        }
        let format = json["encoding_format"]?.stringValue ?? "float"
        guard format == "float" || format == "base64" else {
            throw RPCError(.invalidParams, "encoding_format must be float or base64")
        }
        return (texts, format == "base64")
    }

    /// Little-endian float32s, base64-encoded, as OpenAI's `encoding_format: base64`.
    static func base64(_ vector: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        return Data(bytes).base64EncodedString()
    }
}
