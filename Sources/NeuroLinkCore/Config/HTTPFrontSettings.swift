import Crypto
import Yams

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DaemonConfig {
    /// `http:`: the OpenAI-compatible HTTP front (docs/configuration.md, "http").
    public struct HTTPFront: Sendable, Hashable {
        /// Where it listens; `nil` (the default) for no HTTP front.
        public var listen: Endpoint?
        /// Listen on an address other than loopback.
        public var allowNonLoopback = false
        /// Keys clients present (`Authorization: Bearer`, `x-api-key`), by their SHA-256.
        public var apiKeys: [APIKey] = []
        /// The tenant of loopback callers without a key; `nil` requires a key of everyone.
        public var anonymousLoopbackTenant: String?
        /// The largest request body accepted.
        public var maxBodyBytes = 4 << 20
        /// A connection that sends nothing for this long while no request of it runs is closed:
        /// idle keep-alive connections, and clients that stall in the middle of a request.
        public var idleTimeoutMs = 60_000
        /// A request's head (request line and headers) must arrive whole within this long of its
        /// first byte: a client that trickles its headers cannot hold a connection for long.
        public var headerTimeoutMs = 10_000
        public init() {}

        /// One accepted key: its hash (never the key), and the tenant its requests run as.
        public struct APIKey: Sendable, Hashable {
            public var name: String
            public var sha256: [UInt8]
            public var tenant: String
            public init(name: String, sha256: [UInt8], tenant: String) {
                self.name = name
                self.sha256 = sha256
                self.tenant = tenant
            }
        }

        /// The key `presented` is, compared with every configured hash in constant time.
        public func key(matching presented: String) -> APIKey? {
            let digest = Array(SHA256.hash(data: Data(presented.utf8)))
            var found: APIKey?
            for key in apiKeys {
                var difference: UInt8 = 0
                for (a, b) in zip(digest, key.sha256) { difference |= a ^ b }
                if difference == 0, key.sha256.count == digest.count, found == nil { found = key }
            }
            return found
        }
    }
}

extension ConfigLoader {
    func parseHTTPFront(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.HTTPFront {
        var front = DaemonConfig.HTTPFront()
        guard !reader.isNull(node) else { return front }
        let map = try reader.mapping(
            node,
            "http",
            allowed: [
                "listen", "allow_non_loopback", "api_keys", "allow_unauthenticated_loopback", "anonymous_tenant",
                "max_body_bytes", "idle_timeout_ms", "header_timeout_ms", "api_keys_file", "api_keys_credential",
            ]
        )
        if let n = map["allow_non_loopback"] { front.allowNonLoopback = try reader.bool(n, "http.allow_non_loopback") }
        if let n = map["listen"], !reader.isNull(n) {
            let text = try reader.string(n, "http.listen")
            guard let endpoint = Self.endpoint(text) else {
                throw reader.error(n, "http.listen", "expected host:port, such as 127.0.0.1:8088 or [::1]:8088")
            }
            guard front.allowNonLoopback || Self.isLoopback(endpoint.host) else {
                throw reader.error(
                    n,
                    "http.listen",
                    "\(text) is not a loopback address (http.allow_non_loopback: true allows it)"
                )
            }
            front.listen = endpoint
        }
        if let n = map["api_keys"] { front.apiKeys = try parseAPIKeys(n, reader) }
        if let n = map["api_keys_file"] {
            front.apiKeys += try keysFile(try reader.string(n, "http.api_keys_file"), n, "http.api_keys_file", reader)
        }
        if let n = map["api_keys_credential"] {
            let name = try reader.string(n, "http.api_keys_credential")
            guard let directory = CredentialsDirectory(environment: environment), CredentialsDirectory.isValidName(name)
            else {
                throw reader.error(
                    n,
                    "http.api_keys_credential",
                    "needs CREDENTIALS_DIRECTORY (LoadCredential=) and a credential name"
                )
            }
            front.apiKeys += try keysFile(directory.path + "/" + name, n, "http.api_keys_credential", reader)
        }
        if let n = map["allow_unauthenticated_loopback"], try reader.bool(n, "http.allow_unauthenticated_loopback") {
            front.anonymousLoopbackTenant = "anonymous"
        }
        if let n = map["anonymous_tenant"] {
            let tenant = try reader.string(n, "http.anonymous_tenant")
            if front.anonymousLoopbackTenant != nil { front.anonymousLoopbackTenant = tenant }
        }
        if let n = map["max_body_bytes"] {
            front.maxBodyBytes = try reader.int(n, "http.max_body_bytes", range: 1_024...268_435_456)
        }
        if let n = map["idle_timeout_ms"] {
            front.idleTimeoutMs = try reader.int(n, "http.idle_timeout_ms", range: 100...3_600_000)
        }
        if let n = map["header_timeout_ms"] {
            front.headerTimeoutMs = try reader.int(n, "http.header_timeout_ms", range: 100...600_000)
        }
        return front
    }

    private func parseAPIKeys(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> [DaemonConfig.HTTPFront.APIKey]
    {
        var keys: [DaemonConfig.HTTPFront.APIKey] = []
        for (index, item) in try reader.sequence(node, "http.api_keys").enumerated() {
            let key = "http.api_keys[\(index)]"
            let map = try reader.mapping(item, key, allowed: ["name", "sha256", "tenant"])
            guard let name = map["name"], let hash = map["sha256"], let tenant = map["tenant"] else {
                throw reader.error(item, key, "every key needs name, sha256 and tenant")
            }
            let hex = try reader.string(hash, "\(key).sha256").lowercased()
            guard let digest = Self.hexBytes(hex), digest.count == 32 else {
                throw reader.error(hash, "\(key).sha256", "must be 64 hexadecimal digits (nlctl keys hash prints them)")
            }
            keys.append(
                .init(
                    name: try reader.string(name, "\(key).name"),
                    sha256: digest,
                    tenant: try reader.string(tenant, "\(key).tenant")
                )
            )
        }
        return keys
    }

    /// Keys from a file of `NAME SHA256 TENANT` lines (blank lines and `#` comments skipped): the
    /// hashes can live apart from the configuration, e.g. in a systemd credential.
    private func keysFile(
        _ path: String,
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader
    ) throws(ConfigError)
        -> [DaemonConfig.HTTPFront.APIKey]
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw reader.error(node, key, "\(YAMLReader.shown(path)) cannot be read")
        }
        var keys: [DaemonConfig.HTTPFront.APIKey] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            guard fields.count == 3, let digest = Self.hexBytes(fields[1].lowercased()), digest.count == 32 else {
                throw reader.error(node, key, "line \(number + 1): expected NAME SHA256 TENANT (64 hexadecimal digits)")
            }
            keys.append(.init(name: String(fields[0]), sha256: digest, tenant: String(fields[2])))
        }
        return keys
    }

    /// `127.x.x.x`, `::1` or `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
