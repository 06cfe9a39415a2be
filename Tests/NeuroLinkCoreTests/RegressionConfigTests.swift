import Foundation
import NeuroLinkCore
import NeuroLinkProviders
import Testing

/// Bugs found in review; each test failed before its fix.
@Suite struct RegressionConfigTests {
    @Test func yamlSyntaxErrorsCarryALocation() {
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).parse("providers: [\n", file: "t.yaml") }
        do {
            _ = try ConfigLoader(environment: [:]).parse("logging:\n  level: info\n bad: [\n", file: "t.yaml")
        } catch {
            #expect(error.line != nil)
            #expect(error.description.hasPrefix("t.yaml:\(error.line ?? 0):"))
        }
    }

    @Test func unknownDefaultProviderPointsAtItsValue() {
        let yaml = "providers: []\ndefaults:\n  max_tokens: 100\n  provider: nope\n"
        do {
            _ = try ConfigLoader(environment: [:]).parse(yaml, file: "t.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 4)
            #expect(error.key == "defaults.provider")
        }
    }

    @Test func relativeKeyFileNextToABareConfigFileName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "sk-file-key\n".write(to: directory.appendingPathComponent("secret.key"), atomically: true, encoding: .utf8)
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_file: secret.key\n"
        let config = try ConfigLoader(environment: [:]).parse(yaml, file: "cfg.yaml")
        #expect(config.providers.first?.apiKey?.value == "sk-file-key")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nl-\(UUID().uuidString)").path
        let loader = ConfigLoader(environment: [
            "OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "", "OPENAI_MODEL": "",
            "HOME": home, "XDG_CONFIG_HOME": home,
        ])
        guard !FileManager.default.fileExists(atPath: loader.defaultPath()) else { return }
        let config = try loader.load(path: nil)
        #expect(config.providers.first?.baseURL == "https://api.openai.com/v1")
        #expect(config.providers.first?.defaultModel == "gpt-4o-mini")
    }

    @Test func badBaseURLFromTheEnvironmentIsRejected() {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nl-\(UUID().uuidString)").path
        let loader = ConfigLoader(environment: [
            "NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "localhost:8080", "HOME": home, "XDG_CONFIG_HOME": home,
        ])
        guard !FileManager.default.fileExists(atPath: loader.defaultPath()) else { return }
        #expect(throws: ConfigError.self) { try loader.load(path: nil) }
    }
}
