import Testing
import Yams

@testable import NeuroLinkCore

/// The configuration is composed with Yams's basic resolver (no regular expressions at start-up), so
/// every scalar must still read as it did under the default resolver: each spelling, quoting and
/// explicit tag below is read both ways and must give the same boolean, integer, number or null.
@Suite struct YAMLScalarsTests {
    static let spellings = [
        "true", "True", "TRUE", "tRUE", "yes", "Yes", "YES", "yEs", "on", "On", "ON", "oN",
        "false", "False", "FALSE", "fAlse", "no", "No", "NO", "nO", "off", "Off", "OFF",
        "y", "Y", "n", "N", "1", "0", "-3", "+7", "0x1F", "0o17", "017", "0b101", "1_000", "1:30", "08",
        "1.5", "-.5", ".5", "1e3", "1.0e+3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "NULL", "nULL",
        "", "<<", "=", "2026-12-05", "text", "truex",
    ]
    /// Before and after the spelling: plain, quoted, explicitly tagged.
    static let forms = [
        ("", ""), ("'", "'"), ("\"", "\""), ("!!bool ", ""), ("!!str ", ""), ("!!int ", ""), ("!!float ", ""),
        ("!!null ", ""), ("! ", ""),
    ]

    private func value(_ yaml: String, _ resolver: Resolver) throws -> Node? {
        try Yams.compose(yaml: yaml, resolver)?.mapping?["v"]
    }

    @Test func everyScalarReadsAsTheDefaultResolverReadsIt() throws {
        let reader = YAMLReader(file: nil)
        for spelling in Self.spellings {
            for (before, after) in Self.forms {
                let yaml = "v: " + before + spelling + after
                guard let expected = try? value(yaml, .default) else { continue }
                let node = try #require(try value(yaml, .basic), "\(yaml)")
                #expect((try? reader.bool(node, "v")) == expected.bool, "\(yaml)")
                #expect((try? reader.int(node, "v", range: Int.min...Int.max)) == expected.int, "\(yaml)")
                let number = expected.float ?? expected.int.map(Double.init)
                let read = try? reader.double(
                    node,
                    "v",
                    range: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
                )
                #expect(read == number || (number.map { !$0.isFinite } ?? false && read == nil), "\(yaml)")
                #expect(reader.isNull(node) == (expected.null != nil || expected.scalar?.string == ""), "\(yaml)")
            }
        }
    }
}
