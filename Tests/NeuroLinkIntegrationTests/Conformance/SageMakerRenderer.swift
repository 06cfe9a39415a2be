import Foundation
import LoopbackUpstream
import NeuroLinkHTTP
import Testing

@testable import NeuroLinkProviders

/// SageMaker `InvokeEndpointWithResponseStream`: the container's own stream (OpenAI SSE or TGI
/// token events) cut into `PayloadPart` event-stream messages with real CRCs, at offsets that
/// line up with nothing, and a `ModelStreamError` exception for an in-stream failure.
struct SageMakerRenderer: WireRenderer, RecordedRequestChecking {
    var providerType = "sagemaker"
    var container: String

    var extraConfig: String { "    region: us-east-1\n    endpoint_name: m\n    container: \(container)" }
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "AKIDSAGEMAKER", "AWS_SECRET_ACCESS_KEY": "sagemaker-test-secret",
            "AWS_SESSION_TOKEN": "",
        ]
    }
    /// TGI's `/generate_stream` has no tool calls.
    var supportsToolCalls: Bool { container == "openai" }

    func render(_ script: WireScript, model: String) -> String {
        String(decoding: renderBytes(script, model: model), as: UTF8.self)
    }

    func renderBytes(_ script: WireScript, model: String) -> [UInt8] {
        var plain = script
        plain.inStreamErrorAfter = nil
        var inner = Array((container == "tgi" ? Self.tgi(plain) : OpenAIRenderer().render(plain, model: model)).utf8)
        if let cut = script.inStreamErrorAfter {
            // The container's bytes up to that point (mid-event), then SageMaker's own exception.
            inner = Array(inner.prefix(min(inner.count, 40 + 30 * cut)))
        }
        var out: [UInt8] = []
        var start = 0
        var size = 1
        while start < inner.count {  // slices of 1, 4, 7, … bytes: never on an event boundary on purpose
            let end = min(inner.count, start + size)
            out += BedrockRenderer.frame(
                [
                    (":event-type", "PayloadPart"), (":content-type", "application/octet-stream"),
                    (":message-type", "event"),
                ],
                payload: Array(inner[start..<end])
            )
            start = end
            size = size % 40 + 3
        }
        if script.inStreamErrorAfter != nil {
            out += BedrockRenderer.frame(
                [
                    (":exception-type", "ModelStreamError"), (":content-type", "application/json"),
                    (":message-type", "exception"),
                ],
                payload: Array(json(["Message": "Model stream failed", "ErrorCode": "ModelStreamError"]).utf8)
            )
        }
        return out
    }

    /// TGI's token events; the last carries `details`. A stop ends with the special EOS token,
    /// a length cut-off on the last ordinary token, as TGI does.
    static func tgi(_ script: WireScript) -> String {
        var events: [[String: Any]] = script.pieces.enumerated().map { index, piece in
            [
                "token": ["id": index + 1, "text": piece, "logprob": -0.25, "special": false],
                "generated_text": NSNull(), "details": NSNull(),
            ]
        }
        let details: [String: Any] = [
            "finish_reason": script.finish == "length" ? "length" : "eos_token",
            "generated_tokens": script.usage.output, "input_length": script.usage.input, "seed": NSNull(),
        ]
        if script.finish == "length", !events.isEmpty {
            events[events.count - 1]["details"] = details
            events[events.count - 1]["generated_text"] = script.pieces.joined()
        } else {
            events.append([
                "token": ["id": 2, "text": "</s>", "logprob": -0.01, "special": true],
                "generated_text": script.pieces.joined(), "details": details,
            ])
        }
        return events.map { "data:\(json($0))\n\n" }.joined()
    }

    /// The request went to the endpoint's path, and its SigV4 signature (service `sagemaker`)
    /// recomputes to the same value over the request as received.
    func check(_ requests: [RecordedRequest], port: Int) {
        guard let recorded = requests.first else {
            Issue.record("sagemaker: no request was received")
            return
        }
        #expect(recorded.method == "POST" && recorded.path == "/endpoints/m/invocations-response-stream")
        guard let authorization = recorded.header("authorization"), let amzDate = recorded.header("x-amz-date"),
            let date = SigV4Date.parse(amzDate),
            let signedHeaders = authorization.components(separatedBy: "SignedHeaders=").last?.components(
                separatedBy: ","
            ).first
        else {
            Issue.record("sagemaker: the request is not SigV4-signed")
            return
        }
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDSAGEMAKER/\(amzDate.prefix(8))/us-east-1/sagemaker/aws4_request, "
            )
        )
        let headers = signedHeaders.split(separator: ";").map(String.init).filter { $0 != "x-amz-date" }.compactMap {
            name in
            recorded.header(name).map { HTTPHeader(name, $0) }
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDSAGEMAKER", secretAccessKey: Secret("sagemaker-test-secret")),
            region: "us-east-1",
            service: "sagemaker",
            clock: { date }
        )
        let expected = try? signer.headers(
            method: recorded.method,
            url: "http://127.0.0.1:\(port)\(recorded.path)",
            headers: headers,
            body: recorded.body
        )
        #expect(expected?.first(named: "authorization") == authorization, "sagemaker: the signature does not verify")
    }
}
