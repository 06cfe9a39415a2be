import Foundation
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// `structured_output`: anthropic only, one of auto, native, instruction.
@Suite struct StructuredOutputConfigTests {
    private func parse(_ type: String, _ line: String) throws(ConfigError) -> ProviderConfig? {
        let yaml = """
            providers:
              - name: c
                type: \(type)
                base_url: http://127.0.0.1:9
                api_key_env: K
            \(line)
            """
        return try ConfigLoader(environment: ["K": "k"]).parse(yaml, file: "c.yaml").providers.first
    }

    @Test(arguments: ["auto", "native", "instruction"])
    func acceptedModes(_ mode: String) throws {
        #expect(try parse("anthropic", "    structured_output: \(mode)")?.options["structured_output"] == mode)
        #expect(
            try parse("anthropic", "    options:\n      structured_output: \(mode)")?.options["structured_output"]
                == mode
        )
    }

    @Test func absentMeansAuto() throws {
        #expect(try parse("anthropic", "")?.options["structured_output"] == nil)
    }

    @Test func invalidModeAndWrongTypeAreErrors() {
        #expect {
            try parse("anthropic", "    structured_output: strict")
        } throws: { error in
            let text = "\(error)"
            return text.contains("c.yaml:6") && text.contains("providers[0].structured_output")
                && text.contains("auto, native, instruction")
        }
        #expect {
            try parse("openai", "    structured_output: native")
        } throws: { error in
            "\(error)".contains("only by type anthropic")
        }
    }
}
