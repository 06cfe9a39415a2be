import Foundation
import Testing

@testable import NeuroLinkCore

/// `http:`: the listener stays on loopback unless allowed, keys are hashes and match only the key.
@Suite struct HTTPFrontSettingsTests {
    static let hash = "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"

    static func parse(_ yaml: String) throws(ConfigError) -> DaemonConfig.HTTPFront {
        try ConfigLoader(environment: [:]).parse("http:\n" + yaml, file: "t.yaml").http
    }

    @Test func keysMatchTheirHashOnlyAndLoopbackIsTheDefault() throws {
        let front = try Self.parse(
            """
              listen: 127.0.0.1:8088
              api_keys:
                - {name: ci, sha256: \(Self.hash.uppercased()), tenant: builds}
              allow_unauthenticated_loopback: true
              anonymous_tenant: local

            """
        )
        #expect(front.listen == DaemonConfig.Endpoint(host: "127.0.0.1", port: 8088))
        #expect(front.key(matching: "sk-test-key")?.tenant == "builds")
        #expect(front.key(matching: "sk-test-kex") == nil && front.key(matching: "") == nil)
        #expect(front.anonymousLoopbackTenant == "local")
        #expect(try Self.parse("  listen: \"[::1]:9\"\n").listen?.host == "::1")
        #expect(try Self.parse("  listen: 0.0.0.0:8088\n  allow_non_loopback: true\n").listen?.port == 8088)
        #expect(try Self.parse("  listen: 127.0.0.1:1\n").anonymousLoopbackTenant == nil)
    }

    @Test func keysCanComeFromAFileOrACredential() throws {
        let directory = "/tmp/nlt-keys-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "# keys\nci \(Self.hash) builds\n\n".write(toFile: directory + "/keys", atomically: true, encoding: .utf8)
        let fromFile = try Self.parse("  api_keys_file: \(directory)/keys\n")
        #expect(fromFile.key(matching: "sk-test-key")?.tenant == "builds")
        let loader = ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": directory])
        let fromCredential = try loader.parse("http:\n  api_keys_credential: keys\n", file: "t.yaml").http
        #expect(fromCredential.key(matching: "sk-test-key")?.name == "ci")
        try "ci not-a-hash builds\n".write(toFile: directory + "/bad", atomically: true, encoding: .utf8)
        let bad = #expect(throws: ConfigError.self) { try Self.parse("  api_keys_file: \(directory)/bad\n") }
        #expect(bad?.key == "http.api_keys_file" && bad?.description.contains("line 1") == true)
        #expect(throws: ConfigError.self) { try Self.parse("  api_keys_credential: keys\n") }
    }

    @Test func mistakesNameTheirKey() {
        let cases = [
            ("  listen: 0.0.0.0:8088\n", "http.listen"),
            ("  listen: nowhere\n", "http.listen"),
            ("  api_keys:\n    - {name: a, sha256: abc, tenant: t}\n", "http.api_keys[0].sha256"),
            ("  api_keys:\n    - {name: a, tenant: t}\n", "http.api_keys[0]"),
            ("  max_body_bytes: 10\n", "http.max_body_bytes"),
            ("  idle_timeout_ms: 5\n", "http.idle_timeout_ms"),
            ("  header_timeout_ms: 700000\n", "http.header_timeout_ms"),
            ("  port: 1\n", "http.port"),
        ]
        for (yaml, key) in cases {
            let error = #expect(throws: ConfigError.self, "\(yaml)") { try Self.parse(yaml) }
            #expect(error?.key == key, "\(yaml): \(String(describing: error))")
        }
    }
}
