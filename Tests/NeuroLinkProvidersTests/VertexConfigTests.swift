import Foundation
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

@Suite struct VertexConfigTests {
    /// A directory holding a service-account key file.
    static func keyFile(projectId: String? = "project-x") throws -> (directory: String, path: String) {
        let test = try #require(VertexTestAccount.shared)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nlvcfg-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/sa.json"
        try test.keyFile(projectId: projectId).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    @Test func credentialsFileProjectAndLocation() throws {
        let (directory, path) = try Self.keyFile()
        let config = try ConfigLoader(environment: [:]).parse(
            """
            providers:
              - name: vx
                type: vertex
                credentials_file: sa.json
                default_model: gemini-2.0-flash
            """,
            file: directory + "/neurolinkd.yaml"
        )
        let provider = try #require(config.providers.first)
        #expect(provider.baseURL == "https://us-central1-aiplatform.googleapis.com")
        #expect(provider.options["project"] == "project-x" && provider.options["location"] == "us-central1")
        #expect(
            provider.options["auth"] == "service_account"
                && provider.options["token_uri"] == "https://oauth2.example.test/token"
        )
        #expect(provider.credentialSource.description == "file:\(path)")
        #expect(provider.isUsable && provider.apiKey?.value.contains("PRIVATE KEY") == true)
        #expect(provider.endpoint.makeAdapter() is VertexAdapter)
        #expect(ProviderCatalog.aliases["vertex"] == .vertex)
    }

    @Test func environmentVariablesAndOverrides() throws {
        let (_, path) = try Self.keyFile(projectId: nil)
        let environment = [
            "GOOGLE_APPLICATION_CREDENTIALS": path, "GOOGLE_CLOUD_PROJECT": "env-project",
            "GOOGLE_CLOUD_LOCATION": "global",
        ]
        let config = try ConfigLoader(environment: environment).parse(
            """
            providers:
              - name: vx
                type: vertex
                token_uri: http://127.0.0.1:1234/token
              - name: vy
                type: vertex
                project: own-project
                location: asia-northeast1
                base_url: http://127.0.0.1:5/
            """,
            file: nil
        )
        #expect(config.providers[0].baseURL == "https://aiplatform.googleapis.com")
        #expect(
            config.providers[0].options["project"] == "env-project"
                && config.providers[0].options["token_uri"] == "http://127.0.0.1:1234/token"
        )
        #expect(
            config.providers[1].endpoint.baseURL == "http://127.0.0.1:5"
                && config.providers[1].options["project"] == "own-project"
        )
        #expect(config.providers[1].options["location"] == "asia-northeast1")
    }

    @Test func tokenCommandAsStringOrList() throws {
        let config = try ConfigLoader(environment: ["PATH": "/usr/bin:/bin"]).parse(
            """
            providers:
              - name: a
                type: vertex
                project: p
                token_command: sh -c 'echo "$TOKEN"'
                token_command_timeout_ms: 5000
              - name: b
                type: vertex
                project: p
                token_command: [gcloud-not-installed, auth, print-access-token]
            """,
            file: nil
        )
        let a = config.providers[0]
        let words = try JSONDecoder().decode([String].self, from: Data(try #require(a.apiKey).value.utf8))
        #expect(words.count == 3 && words[0].hasSuffix("/sh") && words[2] == #"echo "$TOKEN""#)
        #expect(a.options["auth"] == "token_command" && a.options["token_command_timeout_ms"] == "5000")
        #expect(a.credentialSource.description == "file:\(words[0])" && a.isUsable)
        #expect(!"\(a.secrets)".contains("TOKEN"))
        let b = try JSONDecoder().decode([String].self, from: Data(try #require(config.providers[1].apiKey).value.utf8))
        #expect(b == ["gcloud-not-installed", "auth", "print-access-token"])  // reported when a request needs it
    }

    @Test func mistakesAreConfigErrors() throws {
        let (_, path) = try Self.keyFile(projectId: nil)
        func error(_ entry: String, _ environment: [String: String] = [:]) -> String? {
            do {
                _ = try ConfigLoader(environment: environment).parse(
                    "providers:\n  - name: v\n    type: vertex\n" + entry,
                    file: nil
                )
                return nil
            } catch { return error.description }
        }
        #expect(error("    credentials_file: \(path)\n")?.contains("project") == true)  // no project anywhere
        #expect(error("    project: p\n    credentials_file: /nonexistent/sa.json\n")?.contains("cannot read") == true)
        #expect(error("    project: p\n    api_key_env: X\n")?.contains("not an API key") == true)
        #expect(error("    project: p\n    token_command: \"a 'b\"\n")?.contains("unterminated") == true)
        #expect(
            error("    project: p\n    token_command: x\n    credentials_file: \(path)\n")?.contains("only one") == true
        )
        #expect(error("    project: p\n    location: \"us central\"\n") != nil)
        #expect(error("    project: \"Bad/Project\"\n") != nil)
        #expect(
            error("    project: p\n", ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/sa.json"])?.contains(
                "GOOGLE_APPLICATION_CREDENTIALS"
            ) == true
        )
        // No token source at all: configured, but unusable until one appears.
        let config = try ConfigLoader(environment: [:]).parse(
            "providers:\n  - name: v\n    type: vertex\n    project: p\n",
            file: nil
        )
        #expect(config.providers.first?.isUsable == false)
        #expect(config.providers.first?.credentialSource.description == "env:GOOGLE_APPLICATION_CREDENTIALS")
    }

    @Test func environmentOnlyModeNeedsCredentialsAndAProject() throws {
        let (_, path) = try Self.keyFile()
        let withProject = ConfigLoader(environment: [
            "GOOGLE_APPLICATION_CREDENTIALS": path, "GOOGLE_VERTEX_PROJECT": "p1",
            "GOOGLE_VERTEX_LOCATION": "europe-west1",
        ]).environmentProviders()
        let vertex = try #require(withProject.first { $0.type == .vertex })
        #expect(
            vertex.name == "vertex" && vertex.options["project"] == "p1" && vertex.options["location"] == "europe-west1"
        )
        #expect(
            vertex.baseURL == "https://europe-west1-aiplatform.googleapis.com"
                && vertex.defaultModel == "gemini-2.0-flash"
        )
        #expect(vertex.isUsable && vertex.credentialSource.description == "file:\(path)")
        #expect(ConfigLoader(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path]).environmentProviders().isEmpty)
        #expect(
            ConfigLoader(environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent", "GOOGLE_CLOUD_PROJECT": "p"])
                .environmentProviders().isEmpty
        )
    }
}
