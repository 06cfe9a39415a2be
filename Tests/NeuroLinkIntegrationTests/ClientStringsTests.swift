import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

/// Strings a client chooses — request ids, model names — reach neither the log as raw lines nor an
/// upstream URL path as path segments.
@Suite struct ClientStringsTests {
    /// A string id with a newline is logged escaped: no line of the daemon's log starts with FAKE.
    @Test func newlinesInRequestIDsAndModelsCannotForgeLogLines() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["ok"])))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":"1\nFAKE LINE","method":"stream","params":{"input":{"text":"x"},"model":"m\nFAKE MODEL"}}"#
                    )
                    var answered = false
                    while !answered, let message = try await connection.readMessage() {
                        if message["id"] as? String == "1\nFAKE LINE" {
                            answered = true
                            #expect(message["result"] != nil, "\(message)")
                        }
                    }
                    #expect(answered)
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":"2\r\nFAKE CANCEL","method":"cancel","params":{"requestId":"x\nFAKE"}}"#
                    )
                    _ = try await connection.readMessage()
                }
                try await Task.sleep(for: .milliseconds(100))
                let log = daemon.log
                #expect(log.contains(#"1\nFAKE LINE"#), "the id was not logged (escaped): \(log)")
                let forged = log.split(separator: "\n").filter { $0.hasPrefix("FAKE") || $0.hasPrefix("\rFAKE") }
                #expect(forged.isEmpty, "forged lines: \(forged)\n\(log)")
                #expect(!log.contains("\r"), "a carriage return reached the log")
            }
        }
    }

    /// `..` in the model of an Azure request is refused before anything is sent upstream.
    @Test func dotSegmentsInAModelNeverReachTheUpstream() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["should not be asked"])))
            let config = """
                providers:
                  - name: az
                    type: azure
                    base_url: http://127.0.0.1:\(upstream.port)
                    api_key_env: TEST_KEY
                """
            try await DaemonProcess.with(config: config, environment: ["TEST_KEY": "k"]) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    for (id, model) in [(1, ".."), (2, "x/../y"), (3, "a?b"), (4, "a#b")] {
                        try await connection.send(
                            #"{"jsonrpc":"2.0","id":\#(id),"method":"generate","params":{"input":{"text":"x"},"model":"\#(model)"}}"#
                        )
                        let reply = try await connection.readUntilResponse(id: id).response
                        #expect(reply.errorType == "invalid_params", "\(model): \(reply)")
                    }
                }
            }
            #expect(upstream.requests().isEmpty, "\(upstream.requests().map(\.path))")
        }
    }
}
