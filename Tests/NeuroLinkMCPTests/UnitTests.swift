import Foundation
import MCP
import Testing

@testable import NeuroLinkMCP

@Suite("units")
struct UnitTests {
    @Test("SSE parser: multi-line data, CRLF, comments, events split across chunks")
    func sseParser() {
        var parser = SSEParser()
        var events = parser.feed(Array(": comment\nid: 1\nevent: message\ndata: {\"a\":\r\n".utf8))
        #expect(events.isEmpty)
        events += parser.feed(Array("data: 1}\r\n\r\ndata: \n\nretry: 5\ndata:x".utf8))
        events += parser.finish()
        #expect(events.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":\n1}", "x"])
    }

    @Test("namespaced names follow ^[A-Za-z0-9_-]{1,64}$")
    func naming() {
        #expect(ToolNaming.namespaced(server: "fs", tool: "read_file") == "fs__read_file")
        #expect(ToolNaming.namespaced(server: "fs", tool: "read.file") == nil)
        #expect(ToolNaming.namespaced(server: "fs", tool: String(repeating: "x", count: 60))?.count == 64)
        #expect(ToolNaming.namespaced(server: "fs", tool: String(repeating: "x", count: 61)) == nil)
        #expect(ToolNaming.server(of: "a___x", among: ["a", "a_"]) == "a_")
        #expect(MCPServerSettings.isValidName("git-hub_2"))
        #expect(!MCPServerSettings.isValidName(""))
        #expect(!MCPServerSettings.isValidName("ä"))
    }

    @Test("result text: text joined by newlines, other kinds described")
    func resultText() {
        let content: [Tool.Content] = [
            .text(text: "one", annotations: nil, _meta: nil),
            .audio(data: "AAAA", mimeType: "audio/wav", annotations: nil, _meta: nil),
            .resourceLink(uri: "file:///x", name: "x"),
            .text(text: "two", annotations: nil, _meta: nil),
        ]
        let text = ToolResultText.render(content, structured: nil)
        #expect(text == "one\n[audio/wav, 3 bytes]\n[resource link x: file:///x]\ntwo")
        #expect(ToolResultText.render([], structured: ["n": 1]) == #"{"n":1}"#)
    }

    @Test("schemas and arguments as JSON text")
    func jsonText() throws {
        #expect(JSONText.schema(.null) == #"{"type":"object"}"#)
        #expect(JSONText.schema(["type": "object", "a": 1]) == #"{"a":1,"type":"object"}"#)
        #expect(try JSONText.arguments(" ") == [:])
        #expect(try JSONText.arguments(#"{"k":[1,"v"]}"#) == ["k": [1, "v"]])
        #expect(throws: MCPCallError.protocolError("arguments must be a JSON object")) { try JSONText.arguments("3") }
    }

    @Test("backoff doubles up to the maximum and starts over after a reset")
    func backoff() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(3))
        let delays = (0..<5).map { _ in backoff.take() }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        backoff.reset()
        #expect(backoff.take() == .milliseconds(500))
    }

    @Test("the time limit returns at the deadline even when the operation ignores cancellation")
    func timeLimit() async throws {
        let start = ContinuousClock.now
        let never: Int? = try await TimeLimit.run(.milliseconds(100)) {
            // Like the SDK's pending requests: deaf to cancellation.
            let end = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(50)) }
            return 1
        }
        #expect(never == nil)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try await TimeLimit.run(.seconds(5)) { 7 } == 7)
    }
}
