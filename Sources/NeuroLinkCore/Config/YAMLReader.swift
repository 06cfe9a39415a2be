import NeuroLinkProviders
import Yams

/// Walks a composed YAML tree, turning every mismatch into a located ``ConfigError``.
///
/// Errors reach every client (`status` shows why a reload was rejected), so they locate a problem by
/// file, line, column and key and show a value only when it cannot be a secret (``shown(_:)``); key
/// paths show only name-like keys (``displayKeyPath(_:)``).
struct YAMLReader {
    let file: String?

    func error(_ node: Node?, _ key: String, _ message: String) -> ConfigError {
        ConfigError(
            file: file,
            line: node?.mark?.line,
            column: node?.mark?.column,
            key: Self.displayKeyPath(key),
            message: message
        )
    }

    /// `value` in double quotes for an error message, or `(value not shown)`.
    ///
    /// Shown only when it is one short word that cannot be a credential: at most 64 letters, digits and
    /// `- _ . / @ +`, and nothing that looks like a key (``Redaction``). YAML folds a malformed
    /// continuation line into the value before it with a space, so such a value, whatever key it
    /// landed in, is never shown.
    static func shown(_ value: String) -> String {
        isShowable(value, extra: "-_./@+") ? "\"\(value)\"" : "(value not shown)"
    }

    /// `path` with every component that is not name-like replaced by `(key not shown)`: a key can be a
    /// malformed line (`api_key:sk-…:` is a key), so only keys that look like keys are repeated.
    static func displayKeyPath(_ path: String) -> String {
        path.split(separator: ".", omittingEmptySubsequences: false).map { component in
            component.isEmpty || isShowable(String(component), extra: "-_[]") ? String(component) : "(key not shown)"
        }.joined(separator: ".")
    }

    /// Keys that hold a credential, or where one can sit (a header value, a word of `token_command`, a
    /// path to a key file): their values are never shown, not even as a word.
    static let secretKeys: Set<String> = [
        "api_key", "api_key_env", "api_key_file", "api_key_credential", "headers", "token_command", "credentials_file",
    ]

    /// Whether `path` is a secret-bearing key or lies under one (`providers[0].headers.Authorization`).
    static func isSecretKeyPath(_ path: String) -> Bool {
        path.split(separator: ".").contains { component in
            secretKeys.contains(String(component.prefix { $0 != "[" }))
        }
    }

    private static func isShowable(_ text: String, extra: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 64 else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || extra.unicodeScalars.contains(scalar))
        }
        return allowed && Redaction.scrub(text) == text
    }

    /// The mapping's entries by key, rejecting keys not in `allowed` (typos must not pass silently).
    func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, key, "expected a mapping, found \(kind(node, key))")
        }
        var result: [String: Node] = [:]
        for (k, v) in mapping {
            guard let name = k.string else { throw error(k, key, "keys must be strings") }
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                throw error(k, path, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[name] == nil else { throw error(k, path, "duplicate key") }
            result[name] = v
        }
        return result
    }

    func sequence(_ node: Node, _ key: String) throws(ConfigError) -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw error(node, key, "expected a list, found \(kind(node, key))")
        }
        return Array(sequence)
    }

    func string(_ node: Node, _ key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, key, "expected a non-empty string, found \(kind(node, key))")
        }
        return scalar.string
    }

    func int(_ node: Node, _ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(node, key, "expected an integer, found \(kind(node, key))")
        }
        guard range.contains(value) else {
            throw error(node, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func double(_ node: Node, _ key: String, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw error(node, key, "expected a number, found \(kind(node, key))")
        }
        guard range.contains(value) else {
            throw error(node, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// One of an enumeration's raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String) throws(ConfigError) -> T
    where T.RawValue == String {
        let text = try string(node, key)
        guard let value = T(rawValue: text) else {
            throw error(node, key, "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error(node, key, "expected true or false") }
        return value
    }

    func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return scalar.string.isEmpty || node.null != nil }
        return false
    }

    private func kind(_ node: Node, _ key: String) -> String {
        switch node {
        case .scalar(let scalar) where scalar.string.isEmpty: "nothing"
        case .scalar(let scalar): Self.isSecretKeyPath(key) ? "a string (value not shown)" : Self.shown(scalar.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
