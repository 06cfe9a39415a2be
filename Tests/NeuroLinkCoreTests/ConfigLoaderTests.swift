import Foundation
import NeuroLinkHTTP
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// The sample configuration of the issue: two providers and defaults.
private let sampleYAML = """
    providers:
      - name: openai
        type: openai
        base_url: https://api.openai.com/v1
        api_key_env: OPENAI_API_KEY
        default_model: gpt-4o-mini
      - name: local
        type: openai-compatible
        base_url: http://localhost:11434/v1
        default_model: llama3.1
    defaults:
      provider: openai
      max_tokens: 1000
      temperature: 0.7
    """

/// A fresh, empty directory under the system's temporary directory.
private func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("neurolink-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func parse(_ yaml: String, environment: [String: String] = [:]) throws(ConfigError) -> DaemonConfig {
    try ConfigLoader(environment: environment).parse(yaml, file: "test.yaml")
}

@Suite struct ConfigLoaderTests {
    @Test func parsesSample() throws {
        let config = try parse(sampleYAML, environment: ["OPENAI_API_KEY": "sk-from-env-123456"])
        #expect(config.sourcePath == "test.yaml")
        #expect(config.providers.map(\.name) == ["openai", "local"])

        let openai = config.providers[0]
        #expect(openai.type == .openai)
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.credentialSource == .environment("OPENAI_API_KEY"))
        #expect(openai.apiKey?.value == "sk-from-env-123456")
        #expect(openai.defaultModel == "gpt-4o-mini")
        #expect(openai.isUsable)

        let local = config.providers[1]
        #expect(local.type == .openaiCompatible)
        #expect(local.baseURL == "http://localhost:11434/v1")
        #expect(local.credentialSource == CredentialSource.none)
        #expect(local.apiKey == nil)
        #expect(local.defaultModel == "llama3.1")
        #expect(local.isUsable)

        #expect(config.defaults.provider == "openai")
        #expect(config.defaults.maxTokens == 1000)
        #expect(config.defaults.temperature == 0.7)
        #expect(config.defaults.model == nil)
    }

    @Test(arguments: [[:], ["OPENAI_API_KEY": ""], ["OTHER": "x"]] as [[String: String]])
    func apiKeyEnvMissingLeavesNoKey(_ environment: [String: String]) throws {
        let config = try parse(sampleYAML, environment: environment)
        #expect(config.providers[0].apiKey == nil)
        #expect(config.providers[0].credentialSource == .environment("OPENAI_API_KEY"))
        #expect(!config.providers[0].isUsable)
    }

    @Test func customApiKeyEnvVariable() throws {
        let yaml = """
            providers:
              - name: groq
                type: openai-compatible
                base_url: https://api.groq.com/openai/v1
                api_key_env: GROQ_KEY
            """
        let config = try parse(yaml, environment: ["GROQ_KEY": "gsk_123", "OPENAI_API_KEY": "sk-other"])
        #expect(config.providers[0].apiKey?.value == "gsk_123")
        #expect(config.providers[0].credentialSource == .environment("GROQ_KEY"))
    }

    @Test func openAIWithoutCredentialKeyFallsBackToOPENAI_API_KEY() throws {
        let yaml = """
            providers:
              - name: oa
                type: openai
            """
        let config = try parse(yaml, environment: ["OPENAI_API_KEY": "sk-fallback-123"])
        #expect(config.providers[0].baseURL == "https://api.openai.com/v1")
        #expect(config.providers[0].apiKey?.value == "sk-fallback-123")
        #expect(config.providers[0].credentialSource == .environment("OPENAI_API_KEY"))
    }

    @Test func fullConfiguration() throws {
        let yaml = """
            server:
              socket: /run/x.sock
              socket_mode: "0600"
              max_frame_bytes: 65536
              drain_timeout_ms: 500
              stream_buffer_bytes: 32768
            logging:
              level: debug
            timeouts:
              connect_ms: 1000
              first_chunk_ms: 2000
              idle_ms: 3000
              total_ms: 4000
            defaults:
              provider: auto
              model: m
              max_tokens: null
              temperature: 0
            providers:
              - name: p
                type: openai-compatible
                base_url: http://127.0.0.1:9/v1
                api_key: inline-secret
                headers:
                  X-Org: org-1
                timeouts:
                  idle_ms: 9
            """
        let config = try parse(yaml)
        #expect(config.server.socketPath == "/run/x.sock")
        #expect(config.server.socketMode == 0o600)
        #expect(config.server.maxFrameBytes == 65536)
        #expect(config.server.drainTimeoutMs == 500)
        #expect(config.server.streamBufferBytes == 32768)
        #expect(config.logging.level == "debug")
        #expect(config.timeouts.connectMs == 1000 && config.timeouts.firstChunkMs == 2000)
        #expect(config.timeouts.idleMs == 3000 && config.timeouts.totalMs == 4000)
        #expect(config.defaults.provider == "auto" && config.defaults.model == "m")
        #expect(config.defaults.maxTokens == nil)
        #expect(config.defaults.temperature == 0)
        let provider = try #require(config.providers.first)
        #expect(provider.credentialSource == .inline)
        #expect(provider.apiKey?.value == "inline-secret")
        #expect(provider.headers == [HTTPHeader("X-Org", "org-1")])
        // Per-provider timeouts start from the global ones.
        #expect(provider.timeouts?.idleMs == 9)
        #expect(provider.timeouts?.connectMs == 1000)
    }

    @Test(arguments: ["", "# only a comment\n", "~\n"])
    func emptyDocumentGivesDefaults(_ yaml: String) throws {
        let config = try parse(yaml)
        #expect(config.providers.isEmpty)
        #expect(config.defaults.provider == "auto")
        #expect(config.defaults.maxTokens == 1000)
    }

    // MARK: - Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var line: Int?
        var column: Int?
        var key: String?
        var fragment: String
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "unknown top-level key",
            yaml: "providers: []\nsurver:\n  socket: /x\n",
            line: 2,
            column: 1,
            key: "surver",
            fragment: "unknown key"
        ),
        ErrorCase(
            name: "unknown provider key",
            yaml: """
                providers:
                  - name: openai
                    type: openai
                    base_ur: https://api.openai.com/v1
                """,
            line: 4,
            column: 5,
            key: "providers[0].base_ur",
            fragment: "unknown key"
        ),
        ErrorCase(
            name: "bad type value",
            yaml: """
                providers:
                  - name: openai
                    type: opnai
                """,
            line: 3,
            column: 11,
            key: "providers[0].type",
            fragment: "unknown provider type \"opnai\""
        ),
        ErrorCase(
            name: "missing name",
            yaml: """
                providers:
                  - name: a
                    type: openai
                  - type: openai
                    base_url: https://x.example/v1
                """,
            line: 4,
            column: 5,
            key: "providers[1].name",
            fragment: "is required"
        ),
        ErrorCase(
            name: "missing type",
            yaml: """
                providers:
                  - name: a
                """,
            line: 2,
            column: 5,
            key: "providers[0].type",
            fragment: "is required"
        ),
        ErrorCase(
            name: "compatible without base_url",
            yaml: """
                providers:
                  - name: a
                    type: openai-compatible
                """,
            line: 2,
            column: 5,
            key: "providers[0].base_url",
            fragment: "is required"
        ),
        ErrorCase(
            name: "name auto",
            yaml: """
                providers:
                  - name: auto
                    type: openai
                """,
            line: 2,
            column: 11,
            key: "providers[0].name",
            fragment: "cannot be \"auto\""
        ),
        ErrorCase(
            name: "name with a space",
            yaml: """
                providers:
                  - name: my provider
                    type: openai
                """,
            line: 2,
            column: 11,
            key: "providers[0].name",
            fragment: "letters, digits"
        ),
        ErrorCase(
            name: "duplicate provider name",
            yaml: """
                providers:
                  - name: openai
                    type: openai
                  - name: openai
                    type: openai-compatible
                    base_url: http://localhost:1/v1
                """,
            line: 4,
            column: 5,
            key: "providers[1].name",
            fragment: "already used by providers[0]"
        ),
        ErrorCase(
            name: "bad base_url scheme",
            yaml: """
                providers:
                  - name: a
                    type: openai-compatible
                    base_url: ftp://example.com/v1
                """,
            line: 4,
            column: 15,
            key: "providers[0].base_url",
            fragment: "http:// or https://"
        ),
        ErrorCase(
            name: "base_url without host",
            yaml: """
                providers:
                  - name: a
                    type: openai-compatible
                    base_url: "http://"
                """,
            line: 4,
            column: 15,
            key: "providers[0].base_url",
            fragment: "http:// or https://"
        ),
        ErrorCase(
            name: "two credential sources",
            yaml: """
                providers:
                  - name: a
                    type: openai
                    api_key_env: OPENAI_API_KEY
                    api_key_file: /etc/key
                """,
            line: 5,
            column: 19,
            key: "providers[0].api_key_file",
            fragment: "only one of"
        ),
        ErrorCase(
            name: "defaults.provider names a missing provider",
            yaml: """
                providers:
                  - name: openai
                    type: openai
                defaults:
                  provider: anthropic
                """,
            line: 5,
            column: nil,
            key: "defaults.provider",
            fragment: "\"anthropic\" is not a configured provider"
        ),
        ErrorCase(
            name: "temperature out of range",
            yaml: """
                defaults:
                  temperature: 5
                """,
            line: 2,
            column: 16,
            key: "defaults.temperature",
            fragment: "between 0"
        ),
        ErrorCase(
            name: "temperature not a number",
            yaml: """
                defaults:
                  temperature: warm
                """,
            line: 2,
            column: 16,
            key: "defaults.temperature",
            fragment: "expected a number"
        ),
        ErrorCase(
            name: "max_tokens zero",
            yaml: """
                defaults:
                  max_tokens: 0
                """,
            line: 2,
            column: 15,
            key: "defaults.max_tokens",
            fragment: "between 1"
        ),
        ErrorCase(
            name: "bad log level",
            yaml: """
                logging:
                  level: loud
                """,
            line: 2,
            column: 10,
            key: "logging.level",
            fragment: "must be one of"
        ),
        ErrorCase(
            name: "bad socket mode",
            yaml: """
                server:
                  socket_mode: "0999"
                """,
            line: 2,
            column: 16,
            key: "server.socket_mode",
            fragment: "octal"
        ),
        ErrorCase(
            name: "providers not a list",
            yaml: """
                providers:
                  name: a
                """,
            line: 2,
            column: 3,
            key: "providers",
            fragment: "expected a list"
        ),
        ErrorCase(
            name: "top level not a mapping",
            yaml: "- a\n- b\n",
            line: 1,
            column: 1,
            key: "",
            fragment: "expected a mapping"
        ),
        ErrorCase(
            name: "negative timeout",
            yaml: """
                timeouts:
                  idle_ms: -1
                """,
            line: 2,
            column: 12,
            key: "timeouts.idle_ms",
            fragment: "between 0"
        ),
    ]

    @Test(arguments: errorCases)
    func reportsLocatedError(_ c: ErrorCase) {
        let error = #expect(throws: ConfigError.self) { try parse(c.yaml) }
        #expect(error?.file == "test.yaml")
        #expect(error?.key == c.key)
        #expect(error?.line == c.line)
        if let column = c.column { #expect(error?.column == column) }
        #expect(error?.message.contains(c.fragment) == true, "message: \(error?.message ?? "-")")
    }

    /// Syntax errors, and duplicate keys (which Yams rejects while composing).
    @Test(arguments: [
        "providers: [\n", "defaults:\n  provider: \"unterminated\n", "a: b\n c: d\n  - e\n", "key: [a, b\n",
        "defaults:\n  model: a\n  model: b\n", "\tproviders: []\n",
    ])
    func invalidYAMLSyntax(_ yaml: String) {
        let error = #expect(throws: ConfigError.self) { try parse(yaml) }
        #expect(error?.file == "test.yaml")
        #expect(error?.message.hasPrefix("not valid YAML") == true, "message: \(error?.message ?? "-")")
    }

    @Test(arguments: [
        (
            ConfigError(file: "a.yaml", line: 3, column: 5, key: "providers[0].type", message: "bad"),
            "a.yaml:3:5: providers[0].type: bad"
        ),
        (ConfigError(file: "a.yaml", line: 3, key: "k", message: "m"), "a.yaml:3: k: m"),
        (ConfigError(file: "a.yaml", key: "k", message: "m"), "a.yaml: k: m"),
        (ConfigError(file: "a.yaml", message: "m"), "a.yaml: m"),
        (ConfigError(key: "NEUROLINK_LOG_LEVEL", message: "m"), "<config>: NEUROLINK_LOG_LEVEL: m"),
    ])
    func descriptionFormat(_ error: ConfigError, _ expected: String) {
        #expect(error.description == expected)
    }

    @Test func parsedErrorDescriptionHasFileLineColumnKeyMessage() {
        let yaml = "providers:\n  - name: a\n    type: openai\n    base_ur: https://x.example\n"
        let error = #expect(throws: ConfigError.self) { try parse(yaml) }
        #expect(
            error?.description.hasPrefix("test.yaml:4:5: providers[0].base_ur: unknown key") == true,
            "description: \(error?.description ?? "-")"
        )
    }

    @Test func transferTimeouts() {
        var timeouts = DaemonConfig.Timeouts()
        timeouts.connectMs = 0
        timeouts.firstChunkMs = 1500
        timeouts.idleMs = 2000
        timeouts.totalMs = 9000
        #expect(
            timeouts.transferTimeouts(requestTotalMs: nil)
                == TransferTimeouts(
                    connect: nil,
                    firstByte: .milliseconds(1500),
                    idle: .milliseconds(2000),
                    total: .milliseconds(9000)
                )
        )
        #expect(timeouts.transferTimeouts(requestTotalMs: 300).total == .milliseconds(300))
    }

    // MARK: - Files and the environment

    @Test func apiKeyFileIsReadAndTrimmed() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("key").path
        try "  sk-from-file-123456 \n\n".write(toFile: keyPath, atomically: true, encoding: .utf8)
        let yaml = """
            providers:
              - name: a
                type: openai
                api_key_file: \(keyPath)
            """
        let config = try parse(yaml)
        #expect(config.providers[0].apiKey?.value == "sk-from-file-123456")
        #expect(config.providers[0].credentialSource == .file(keyPath))
    }

    @Test func relativeApiKeyFileIsResolvedNextToConfig() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "sk-relative-123456\n".write(
            to: dir.appendingPathComponent("secret.key"),
            atomically: true,
            encoding: .utf8
        )
        let configPath = dir.appendingPathComponent("neurolinkd.yaml").path
        try """
        providers:
          - name: a
            type: openai
            api_key_file: secret.key
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader(environment: [:]).load(path: configPath)
        #expect(config.sourcePath == configPath)
        #expect(config.providers[0].apiKey?.value == "sk-relative-123456")
        #expect(config.providers[0].credentialSource == .file(dir.appendingPathComponent("secret.key").path))
    }

    @Test func emptyApiKeyFileIsAnError() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("empty").path
        try " \n".write(toFile: keyPath, atomically: true, encoding: .utf8)
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_file: \(keyPath)\n"
        let error = #expect(throws: ConfigError.self) { try parse(yaml) }
        #expect(error?.key == "providers[0].api_key_file")
        #expect(error?.line == 4)
        #expect(error?.message.contains("is empty") == true)
    }

    @Test func missingApiKeyFileIsAnError() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("missing").path
        let yaml = "providers:\n  - name: a\n    type: openai\n    api_key_file: \(keyPath)\n"
        let error = #expect(throws: ConfigError.self) { try parse(yaml) }
        #expect(error?.key == "providers[0].api_key_file")
        #expect(error?.message.contains("cannot read") == true)
    }

    @Test func missingConfigFileIsAnError() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nope.yaml").path
        let error = #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).load(path: path) }
        #expect(error?.file == path)
        #expect(error?.message.contains("cannot read") == true)
    }

    /// `load(path: nil)` without a default file reads providers from the environment. Skipped when
    /// this machine has a real default file in the place that does not depend on the environment.
    @Test(
        .enabled(
            if: !FileManager.default.fileExists(
                atPath: ConfigLoader(environment: ["XDG_CONFIG_HOME": "/nonexistent-\(UUID().uuidString)"])
                    .defaultPath()
            )
        )
    )
    func environmentOnlyProviders() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = [
            "HOME": dir.path, "XDG_CONFIG_HOME": dir.path,
            "OPENAI_API_KEY": "sk-env-abcdef123456",
            "NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:11434/v1",
            "NEUROLINK_OPENAI_COMPATIBLE_MODEL": "llama3.1",
        ]
        let config = try ConfigLoader(environment: environment).load(path: nil)
        #expect(config.sourcePath == nil)
        #expect(config.providers.map(\.name) == ["openai", "openai-compatible"])
        #expect(config.providers.map(\.type) == [.openai, .openaiCompatible])
        #expect(config.providers[0].apiKey?.value == "sk-env-abcdef123456")
        #expect(config.providers[0].defaultModel == "gpt-4o-mini")
        #expect(config.providers[1].baseURL == "http://127.0.0.1:11434/v1")
        #expect(config.providers[1].apiKey == nil)
        #expect(config.providers[1].credentialSource == CredentialSource.none)
        #expect(config.providers[1].defaultModel == "llama3.1")
        #expect(config.providers.allSatisfy { $0.isUsable })
    }

    @Test(
        arguments: [
            ([:], [String]()),
            (["OPENAI_API_KEY": ""], []),
            (["OPENAI_API_KEY": "sk-x"], ["openai"]),
            (["NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "http://h/v1"], ["openai-compatible"]),
            (
                ["NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "http://h/v1", "OPENAI_API_KEY": "sk-x"],
                ["openai", "openai-compatible"]
            ),
        ] as [([String: String], [String])]
    )
    func environmentProvidersOrder(_ environment: [String: String], _ names: [String]) {
        #expect(ConfigLoader(environment: environment).environmentProviders().map(\.name) == names)
    }

    @Test func environmentProvidersHonourOverrides() throws {
        let providers = ConfigLoader(environment: [
            "OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "https://proxy.example/v1", "OPENAI_MODEL": "gpt-4.1",
            "NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": "http://h/v1", "NEUROLINK_OPENAI_COMPATIBLE_API_KEY": "local-key",
        ]).environmentProviders()
        #expect(providers[0].baseURL == "https://proxy.example/v1")
        #expect(providers[0].defaultModel == "gpt-4.1")
        #expect(providers[1].apiKey?.value == "local-key")
        #expect(providers[1].credentialSource == .environment("NEUROLINK_OPENAI_COMPATIBLE_API_KEY"))
    }

    @Test func defaultPath() {
        #expect(ConfigLoader(environment: [:]).defaultPath(isRoot: true) == "/etc/neurolink/neurolinkd.yaml")
        #expect(
            ConfigLoader(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]).defaultPath(isRoot: false)
                == "/x/neurolink/neurolinkd.yaml"
        )
        #expect(
            ConfigLoader(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]).defaultPath(isRoot: false)
                == "/h/.config/neurolink/neurolinkd.yaml"
        )
        #expect(
            ConfigLoader(environment: ["HOME": "/h"]).defaultPath(isRoot: false)
                == "/h/.config/neurolink/neurolinkd.yaml"
        )
    }

    // MARK: - NEUROLINK_* overrides

    private func loadSample(_ environment: [String: String]) throws -> DaemonConfig {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("neurolinkd.yaml").path
        try sampleYAML.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigLoader(environment: environment).load(path: path)
    }

    @Test func environmentOverridesApply() throws {
        let config = try loadSample([
            "NEUROLINK_SOCKET": "/tmp/s.sock", "NEUROLINK_LOG_LEVEL": "trace", "NEUROLINK_DEFAULT_PROVIDER": "local",
            "NEUROLINK_DEFAULT_MODEL": "mm", "NEUROLINK_MAX_FRAME_BYTES": "2048", "NEUROLINK_DRAIN_TIMEOUT_MS": "0",
        ])
        #expect(config.server.socketPath == "/tmp/s.sock")
        #expect(config.logging.level == "trace")
        #expect(config.defaults.provider == "local")
        #expect(config.defaults.model == "mm")
        #expect(config.server.maxFrameBytes == 2048)
        #expect(config.server.drainTimeoutMs == 0)
    }

    @Test(arguments: [
        ("NEUROLINK_LOG_LEVEL", "bogus"),
        ("NEUROLINK_MAX_FRAME_BYTES", "abc"),
        ("NEUROLINK_MAX_FRAME_BYTES", "10"),
        ("NEUROLINK_DRAIN_TIMEOUT_MS", "-1"),
    ])
    func invalidEnvironmentOverride(_ name: String, _ value: String) throws {
        let error = #expect(throws: ConfigError.self) { try loadSample([name: value]) }
        #expect(error?.key == name)
    }

    @Test(
        .enabled(
            if: !FileManager.default.fileExists(
                atPath: ConfigLoader(environment: ["XDG_CONFIG_HOME": "/nonexistent-\(UUID().uuidString)"])
                    .defaultPath()
            )
        )
    )
    func invalidLogLevelWithoutFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = ConfigLoader(environment: [
            "NEUROLINK_LOG_LEVEL": "bogus", "XDG_CONFIG_HOME": dir.path, "HOME": dir.path, "OPENAI_API_KEY": "sk-x",
        ])
        let error = #expect(throws: ConfigError.self) { try loader.load(path: nil) }
        #expect(error?.key == "NEUROLINK_LOG_LEVEL")
        #expect(error?.message.contains("must be one of") == true)
        #expect(error?.description.hasPrefix("<config>: NEUROLINK_LOG_LEVEL: ") == true)
    }

    @Test func defaultProviderOverrideMustExist() throws {
        let error = #expect(throws: ConfigError.self) { try loadSample(["NEUROLINK_DEFAULT_PROVIDER": "ghost"]) }
        #expect(error?.key == "defaults.provider")
        #expect(error?.message.contains("ghost") == true)
    }
}
