import NeuroLinkProtocol

extension RuleFile {
    /// Reads the file through the protocol's JSON parser: `JSONDecoder` took as long as compiling
    /// the rules, and both run while the daemon starts (docs/benchmarks.md, "Start-up").
    init(parsing bytes: UnsafeRawBufferPointer) throws {
        let file = try Fields(JSONValue(parsing: bytes), at: "")
        version = try file.int("version")
        mentionDamping = try file.double("mentionDamping")
        reportedDamping = try file.double("reportedDamping")
        var lists: [String: [String]] = [:]
        for (name, value) in try file.object("lists").members {
            lists[name] = try Fields.strings(value, at: "lists.\(name)")
        }
        self.lists = lists
        phrases = try file.array("phrases").map(Phrase.init)
        let cues = try file.object("cues")
        self.cues = Cues(
            meta: try cues.strings("meta"),
            mention: try cues.strings("mention"),
            reported: try cues.strings("reported"),
            reportedToLeads: try cues.strings("reportedToLeads")
        )
        let transforms = try file.object("transformCues")
        transformCues = TransformCues(
            rot13: try transforms.strings("rot13"),
            reversed: try transforms.strings("reversed")
        )
        markers = try file.array("markers").map(Marker.init)
        let roles = try file.object("markerRoles")
        markerRoles = Roles(system: try roles.strings("system"), assistant: try roles.strings("assistant"))
        headers = try file.array("headers").map(Named.init)
        tags = try file.array("tags").map(Named.init)
    }
}

extension RuleFile.Phrase {
    fileprivate init(_ fields: Fields) throws {
        id = try fields.string("id")
        let family = try fields.string("family")
        guard let known = InjectionFamily(rawValue: family) else {
            throw InjectionRuleError.malformedFile("\(fields.path).family: unknown family \"\(family)\"")
        }
        self.family = known
        weight = try fields.double("weight")
        gap = try fields.int("gap")
        slots = try fields.values("slots").enumerated().map { index, slot in
            try Fields.strings(slot, at: "\(fields.path).slots[\(index)]")
        }
        veto = try fields.optionalStrings("veto")
    }
}

extension RuleFile.Marker {
    fileprivate init(_ fields: Fields) throws {
        id = try fields.string("id")
        weight = try fields.double("weight")
        text = try fields.string("text")
        rolesFollow = try fields.optionalBool("rolesFollow")
    }
}

extension RuleFile.Named {
    fileprivate init(_ fields: Fields) throws {
        id = try fields.string("id")
        weight = try fields.double("weight")
        names = try fields.strings("names")
    }
}

/// An object of the rule file and where it is, for errors that name the field.
private struct Fields {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, at path: String) throws {
        guard let members = value.objectValue else { throw InjectionRuleError.malformedFile("\(path): not an object") }
        self.members = members
        self.path = path
    }

    private func member(_ key: String) throws -> JSONValue {
        guard let value = members[key] else { throw InjectionRuleError.malformedFile("\(name(key)): missing") }
        return value
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func wrong(_ key: String, _ expected: String) -> InjectionRuleError {
        .malformedFile("\(name(key)): not \(expected)")
    }

    func string(_ key: String) throws -> String {
        guard let text = try member(key).stringValue else { throw wrong(key, "a string") }
        return text
    }

    func double(_ key: String) throws -> Double {
        guard let number = try member(key).numberValue else { throw wrong(key, "a number") }
        return number
    }

    func int(_ key: String) throws -> Int {
        guard let number = try member(key).intValue else { throw wrong(key, "an integer") }
        return number
    }

    func optionalBool(_ key: String) throws -> Bool? {
        switch members[key] {
        case nil, .null: return nil
        case .bool(let flag): return flag
        default: throw wrong(key, "true or false")
        }
    }

    func object(_ key: String) throws -> Fields { try Fields(member(key), at: name(key)) }

    func values(_ key: String) throws -> [JSONValue] {
        guard let elements = try member(key).arrayValue else { throw wrong(key, "an array") }
        return elements
    }

    func array(_ key: String) throws -> [Fields] {
        try values(key).enumerated().map { index, element in try Fields(element, at: "\(name(key))[\(index)]") }
    }

    func strings(_ key: String) throws -> [String] { try Self.strings(member(key), at: name(key)) }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = members[key], value != .null else { return nil }
        return try Self.strings(value, at: name(key))
    }

    static func strings(_ value: JSONValue, at path: String) throws -> [String] {
        guard let elements = value.arrayValue else { throw InjectionRuleError.malformedFile("\(path): not an array") }
        return try elements.map { element in
            guard let text = element.stringValue else {
                throw InjectionRuleError.malformedFile("\(path): not an array of strings")
            }
            return text
        }
    }
}
