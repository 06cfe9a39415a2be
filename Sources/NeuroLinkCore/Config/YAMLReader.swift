import Yams

/// Walks a composed YAML tree, turning every mismatch into a located ``ConfigError``.
struct YAMLReader {
    let file: String?

    func error(_ node: Node?, _ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, key: key, message: message)
    }

    /// The mapping's entries by key, rejecting keys not in `allowed` (typos must not pass silently).
    func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, key, "expected a mapping, found \(kind(node))")
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
            throw error(node, key, "expected a list, found \(kind(node))")
        }
        return Array(sequence)
    }

    func string(_ node: Node, _ key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, key, "expected a non-empty string, found \(kind(node))")
        }
        return scalar.string
    }

    func int(_ node: Node, _ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(node, key, "expected an integer, found \(kind(node))")
        }
        guard range.contains(value) else {
            throw error(node, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func double(_ node: Node, _ key: String, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw error(node, key, "expected a number, found \(kind(node))")
        }
        guard range.contains(value) else {
            throw error(node, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return scalar.string.isEmpty || node.null != nil }
        return false
    }

    private func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string.isEmpty ? "nothing" : "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
