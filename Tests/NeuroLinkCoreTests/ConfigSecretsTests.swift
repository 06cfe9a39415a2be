import Foundation
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// Configuration errors reach every client (`status` shows a rejected reload), so they never repeat
/// a value that can be a secret: they name the file, line and key instead.
@Suite struct ConfigSecretsTests {
    static let marker = "sk-proj-SECRETMARKER42"

    private func error(_ yaml: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try ConfigLoader(environment: environment).parse(yaml, file: "s.yaml")
            return nil
        } catch {
            return error
        }
    }

    private func provider(_ lines: String) -> String {
        """
        providers:
          - name: p
            type: openai
        \(lines)
        """
    }

    /// Each case: a secret-bearing key with a malformed or invalid value holding the marker.
    static let cases: [(String, String)] = [
        ("api_key as a list", "    api_key: [\(marker)]"),
        ("api_key as a mapping", "    api_key: {\(marker): 1}"),
        ("api_key then a badly indented line", "    api_key: \(marker)\n      base_url: x: y"),
        ("api_key with a stray quote", "    api_key: \"\(marker)\n    default_model: m"),
        ("api_key written without a space", "    api_key:\(marker):"),
        ("api_key line folded into the next key", "    default_model:\n    api_key \(marker)"),
        ("api_key folded into an integer", "    timeouts:\n      total_ms: 5\n        api_key \(marker)"),
        ("api_key folded into a mapping's place", "    timeouts:\n      api_key \(marker)"),
        ("headers as a string", "    headers: \"Authorization: Bearer \(marker)\""),
        ("header line without a colon space", "    headers:\n      Authorization:Bearer \(marker):"),
        ("header value as a list", "    headers:\n      Authorization: [\"Bearer \(marker)\"]"),
        ("header written as one key", "    headers:\n      \"Authorization: Bearer \(marker)\": x"),
        ("header value empty with secret in name", "    headers:\n      \(marker): \"\""),
        ("duplicate header holding the key", "    headers:\n      \(marker): a\n      \(marker): b"),
        ("api_key_env as a list", "    api_key_env: [\(marker)]"),
        ("api_key_credential with a slash", "    api_key_credential: \(marker)/x"),
        ("provider entry as a bare line", ""),
    ]

    @Test(arguments: cases.map(\.0))
    func errorNeverQuotesTheSecret(_ name: String) throws {
        let lines = try #require(Self.cases.first { $0.0 == name }?.1)
        let yaml =
            lines.isEmpty
            ? "providers:\n  - api_key \(Self.marker)\n" : provider(lines)
        let failure = try #require(error(yaml), "no error for \(name)")
        #expect(!failure.description.contains("SECRETMARKER"), "\(name): \(failure.description)")
        #expect(failure.file == "s.yaml")
    }

    @Test func errorsStillLocateTheProblem() throws {
        // YAML folds the stray line into the type: "openai api_key sk-…".
        let folded = try #require(error("providers:\n  - name: p\n    type: openai\n      api_key \(Self.marker)\n"))
        #expect(failure(folded, contains: "unknown provider type (value not shown)"), "\(folded)")
        #expect(!folded.description.contains("SECRETMARKER"))
        #expect(folded.line == 3 && folded.key == "providers[0].type")
        let asKey = try #require(error(provider("    api_key:\(Self.marker):")))
        #expect(asKey.key == "providers[0].(key not shown)", "\(asKey)")
        #expect(asKey.line == 4)
        let header = try #require(error(provider("    headers:\n      \"Authorization: Bearer \(Self.marker)\": x")))
        #expect(header.key == "providers[0].headers")
        #expect(failure(header, contains: "not a valid HTTP field name"))
    }

    private func failure(_ error: ConfigError, contains text: String) -> Bool {
        error.description.contains(text)
    }

    @Test func vertexTokenCommandAndKeyFileNeverQuoteTheirContent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nl-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json")
        try #"{"type":"\#(Self.marker)","private_key":"\#(Self.marker)","client_email":"a@b"}"#
            .write(to: keyFile, atomically: true, encoding: .utf8)
        let vertex = """
            providers:
              - name: vx
                type: vertex
                project: p-1
            """
        let command = try #require(error(vertex + "\n    token_command: \"gcloud --token=\(Self.marker) 'open\""))
        #expect(!command.description.contains("SECRETMARKER"), "\(command)")
        let file = try #require(error(vertex + "\n    credentials_file: \(keyFile.path)"))
        #expect(!file.description.contains("SECRETMARKER"), "\(file)")
        let list = try #require(error(vertex + "\n    token_command: [[\(Self.marker)]]"))
        #expect(!list.description.contains("SECRETMARKER"), "\(list)")
    }

    @Test func environmentBaseURLIsNotQuoted() throws {
        let loader = ConfigLoader(environment: [
            "OPENAI_API_KEY": "sk-x-123456", "OPENAI_BASE_URL": "ftp://user:\(Self.marker)@host/v1",
        ])
        do {
            _ = try loader.load(path: nil)
            Issue.record("accepted a non-http base URL")
        } catch {
            #expect(!error.description.contains("SECRETMARKER"), "\(error)")
            #expect(error.description.contains("openai"))
        }
    }

    @Test func showsOnlyHarmlessWords() {
        #expect(YAMLReader.shown("opnai") == "\"opnai\"")
        #expect(YAMLReader.shown("us-east-1") == "\"us-east-1\"")
        #expect(YAMLReader.shown("openai \(Self.marker)") == "(value not shown)")
        #expect(YAMLReader.shown(Self.marker) == "(value not shown)")
        #expect(YAMLReader.shown(String(repeating: "a", count: 65)) == "(value not shown)")
        #expect(YAMLReader.shown("a:b") == "(value not shown)")
        #expect(YAMLReader.displayKeyPath("providers[0].headers.X-Api-Key") == "providers[0].headers.X-Api-Key")
        #expect(YAMLReader.displayKeyPath("providers[0].api_key:x") == "providers[0].(key not shown)")
    }
}
