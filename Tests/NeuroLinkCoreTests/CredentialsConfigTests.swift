import Foundation
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

#if canImport(Glibc)
import Glibc
#endif

/// systemd credentials (`$CREDENTIALS_DIRECTORY`) as provider keys, and the refusal of config files
/// that expose inline keys.
@Suite struct CredentialsConfigTests {
    /// A credentials directory holding `files` (name → content).
    private func credentials(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neurolink-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    private func parse(
        _ yaml: String,
        credentials directory: URL?,
        environment: [String: String] = [:]
    ) throws(ConfigError) -> DaemonConfig {
        var env = environment
        if let directory { env["CREDENTIALS_DIRECTORY"] = directory.path }
        return try ConfigLoader(environment: env).parse(yaml, file: "test.yaml")
    }

    @Test func apiKeyCredentialReadsTheNamedFile() throws {
        let directory = try credentials(["openai-prod": "  sk-credential-123456\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_credential: openai-prod\n"
        let config = try parse(yaml, credentials: directory)
        #expect(config.providers[0].apiKey?.value == "sk-credential-123456")
        #expect(config.providers[0].credentialSource == .credential("openai-prod"))
        #expect(config.providers[0].credentialSource.description == "credential:openai-prod")
        #expect(config.providers[0].isUsable)
    }

    @Test func missingCredentialLeavesTheProviderWithoutKey() throws {
        let directory = try credentials([:])
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_credential: absent\n"
        // Outside systemd (no CREDENTIALS_DIRECTORY) and with the file absent alike: configured, not usable.
        for config in [try parse(yaml, credentials: directory), try parse(yaml, credentials: nil)] {
            #expect(config.providers[0].apiKey == nil)
            #expect(config.providers[0].credentialSource == .credential("absent"))
            #expect(!config.providers[0].isUsable)
        }
        let statuses = ProviderRegistry(config: try parse(yaml, credentials: nil)).statuses
        #expect(statuses[0].credentialSource == "credential:absent" && !statuses[0].hasCredentials)
    }

    @Test(arguments: ["../etc/passwd", "a/b", ".", ".."])
    func credentialNamesCannotLeaveTheDirectory(_ name: String) throws {
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_credential: \"\(name)\"\n"
        let error = #expect(throws: ConfigError.self) { try parse(yaml, credentials: nil) }
        #expect(error?.key == "providers[0].api_key_credential")
        #expect(error?.line == 4)
    }

    @Test func apiKeyCredentialExcludesTheOtherKeys() throws {
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_env: X\n    api_key_credential: y\n"
        let error = #expect(throws: ConfigError.self) { try parse(yaml, credentials: nil) }
        #expect(error?.message.contains("api_key_credential") == true)
    }

    @Test func providerNamedCredentialIsReadWhenNoKeyIsConfigured() throws {
        let directory = try credentials(["openai.api_key": "sk-implicit-123456", "local.api_key": "local-key-123456"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = """
            providers:
              - name: openai
                type: openai
              - name: local
                type: openai-compatible
                base_url: http://127.0.0.1:8080/v1
              - name: explicit
                type: openai
                api_key_env: EXPLICIT_KEY
            """
        let config = try parse(
            yaml,
            credentials: directory,
            environment: ["OPENAI_API_KEY": "sk-env-should-lose", "EXPLICIT_KEY": "sk-explicit"]
        )
        #expect(
            config.providers.map(\.credentialSource) == [
                .credential("openai.api_key"), .credential("local.api_key"), .environment("EXPLICIT_KEY"),
            ]
        )
        #expect(config.providers.map { $0.apiKey?.value } == ["sk-implicit-123456", "local-key-123456", "sk-explicit"])
    }

    @Test func withoutCredentialsDirectoryNothingChanges() throws {
        let yaml =
            "providers:\n  - name: openai\n    type: openai\n  - name: local\n    type: openai-compatible\n    base_url: http://h/v1\n"
        let config = try parse(yaml, credentials: nil, environment: ["OPENAI_API_KEY": "sk-env-123456"])
        #expect(config.providers.map(\.credentialSource) == [.environment("OPENAI_API_KEY"), CredentialSource.none])
    }

    @Test func environmentOnlyModeFindsCredentials() throws {
        let directory = try credentials([
            "openai.api_key": "sk-cred-openai-123456", "openai-compatible.api_key": "compat-123456",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let providers = ConfigLoader(environment: [
            "CREDENTIALS_DIRECTORY": directory.path, "NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:8080/v1",
        ]).environmentProviders()
        #expect(providers.map(\.name) == ["openai", "openai-compatible"])
        #expect(
            providers.map(\.credentialSource) == [
                .credential("openai.api_key"), .credential("openai-compatible.api_key"),
            ]
        )
        #expect(providers.map { $0.apiKey?.value } == ["sk-cred-openai-123456", "compat-123456"])
    }

    // MARK: Inline keys in readable files

    @Test func exposureRule() {
        #expect(ConfigFilePermissions.exposure(mode: 0o600, group: 1000, daemonGroup: 1000) == nil)
        #expect(ConfigFilePermissions.exposure(mode: 0o640, group: 0, daemonGroup: 1000) == nil)
        #expect(ConfigFilePermissions.exposure(mode: 0o640, group: 1000, daemonGroup: 1000) == nil)
        #expect(ConfigFilePermissions.exposure(mode: 0o640, group: 50, daemonGroup: 1000)?.contains("group 50") == true)
        #expect(
            ConfigFilePermissions.exposure(mode: 0o644, group: 0, daemonGroup: 0)?.contains("every user (mode 0644)")
                == true
        )
        #expect(ConfigFilePermissions.exposure(mode: 0o604, group: 0, daemonGroup: 0) != nil)
    }

    @Test func worldReadableFileWithInlineKeyIsRefusedOthersAreNot() throws {
        let directory = try credentials([:])
        defer { try? FileManager.default.removeItem(at: directory) }
        let inline = directory.appendingPathComponent("inline.yaml").path
        try "providers:\n  - name: a\n    type: openai\n    api_key: sk-inline-abcdef123\n".write(
            toFile: inline,
            atomically: true,
            encoding: .utf8
        )
        let plain = directory.appendingPathComponent("plain.yaml").path
        try "providers:\n  - name: a\n    type: openai\n    api_key_env: K\n".write(
            toFile: plain,
            atomically: true,
            encoding: .utf8
        )
        let loader = ConfigLoader(environment: [:])

        #expect(chmod(inline, 0o644) == 0 && chmod(plain, 0o644) == 0)
        let error = #expect(throws: ConfigError.self) { try loader.load(path: inline) }
        #expect(error?.file == inline)
        #expect(error?.key == "providers[0].api_key")
        #expect(error?.message.contains("readable by every user") == true)
        #expect(error?.description.contains("sk-inline") == false)
        #expect(throws: Never.self) { try loader.load(path: plain) }

        #expect(chmod(inline, 0o600) == 0)
        #expect(try loader.load(path: inline).providers[0].credentialSource == .inline)
    }
}
