import NeuroLinkProtocol

/// The keywords for arrays and objects.
extension SchemaEvaluation {
    mutating func checkArray(_ keywords: [String: JSONValue], _ elements: [JSONValue]) {
        if let minimum = countKeyword("minItems", keywords), elements.count < minimum {
            report("must have at least \(minimum) items, found \(elements.count)")
        }
        if let maximum = countKeyword("maxItems", keywords), elements.count > maximum {
            report("must have at most \(maximum) items, found \(elements.count)")
        }
        switch keywords["items"] {
        case nil:
            break
        case .array(let schemas):
            // The draft-4..7 tuple form: one schema per position, extra elements unconstrained.
            for (index, (element, schema)) in zip(elements, schemas).enumerated() {
                descend(into: String(index), element, against: schema)
            }
        case .some(let schema):
            for (index, element) in elements.enumerated() {
                descend(into: String(index), element, against: schema)
            }
        }
    }

    mutating func checkObject(_ keywords: [String: JSONValue], _ members: [String: JSONValue]) {
        var properties: [String: JSONValue] = [:]
        switch keywords["properties"] {
        case nil: break
        case .object(let schemas): properties = schemas
        default: reportSchema("'properties' must be an object")
        }
        // Sorted so the violations come out in the same order on every run.
        for (name, schema) in properties.sorted(by: { $0.key < $1.key }) {
            if let member = members[name] { descend(into: name, member, against: schema) }
        }
        checkRequired(keywords["required"], members)
        guard let additional = keywords["additionalProperties"] else { return }
        switch additional {
        case .bool(true):
            return
        case .bool, .object:
            break
        default:
            reportSchema("'additionalProperties' must be a boolean or a schema")
            return
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) where properties[name] == nil {
            if additional == .bool(false) {
                report("property \(SchemaText.render(.string(name))) is not allowed", at: name)
            } else {
                descend(into: name, member, against: additional)
            }
        }
    }

    private mutating func checkRequired(_ keyword: JSONValue?, _ members: [String: JSONValue]) {
        guard let keyword else { return }
        guard case .array(let entries) = keyword, entries.allSatisfy({ $0.stringValue != nil }) else {
            reportSchema("'required' must be an array of property names")
            return
        }
        for name in entries.compactMap(\.stringValue) where members[name] == nil {
            report("missing required property \(SchemaText.render(.string(name)))")
        }
    }
}
