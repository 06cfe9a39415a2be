import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// `topP`, `stop` and `seed` through the real daemon to an `openai-compatible` upstream.
@Suite struct SamplingParamsTests {
    @Test func streamSendsTopPStopAndSeedUpstream() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "sampled", .text(["sampled answer"]))
            upstreams["a"].register(model: "plain", .text(["plain answer"]))
            try await DaemonProcess.withClient(config: upstreams.config("")) { _, client in
                var request = StreamRequest(prompt: "x", provider: "a", model: "sampled")
                request.topP = 0.25
                request.stop = ["END", "\n\nUser:"]
                request.seed = 9_007_199_254_740_991
                let sampled = try await streamOnce(client, request)
                #expect(sampled.error == nil && sampled.text == "sampled answer")

                let plain = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a", model: "plain"))
                #expect(plain.error == nil && plain.text == "plain answer")
            }

            let recorded = try #require(upstreams["a"].requests().first { $0.model == "sampled" })
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(recorded.body))
            #expect(body["top_p"] == .number(0.25))
            #expect(body["stop"] == .array([.string("END"), .string("\n\nUser:")]))
            #expect(body["seed"] == .number(9_007_199_254_740_991))
            // Every digit of the seed, as a JSON integer.
            #expect(String(decoding: recorded.body, as: UTF8.self).contains(#""seed":9007199254740991"#))

            let plain = try #require(upstreams["a"].requests().first { $0.model == "plain" })
            let plainBody = try JSONDecoder().decode(JSONValue.self, from: Data(plain.body))
            #expect(plainBody["top_p"] == nil && plainBody["stop"] == nil && plainBody["seed"] == nil)
            #expect(plainBody["model"] == .string("plain"))
        }
    }
}
