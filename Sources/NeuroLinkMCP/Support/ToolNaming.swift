/// The namespacing of tool names: `server__tool`, limited to what every provider accepts as a
/// function name.
enum ToolNaming {
    /// The separator between the server's name and the tool's.
    static let separator = "__"
    /// Providers reject longer function names.
    static let maximumLength = 64

    /// `A-Z a-z 0-9 _ -`: the bytes allowed in server and namespaced tool names.
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The namespaced name of `tool` on `server`, or nil when it would not be a valid name.
    static func namespaced(server: String, tool: String) -> String? {
        let name = server + separator + tool
        guard (1...maximumLength).contains(name.utf8.count), name.utf8.allSatisfy(isNameByte) else { return nil }
        return name
    }

    /// The configured server whose namespace `name` is in; the longest match wins because server
    /// names may themselves contain underscores.
    static func server(of name: String, among servers: [String]) -> String? {
        servers.filter { name.hasPrefix($0 + separator) }.max { $0.utf8.count < $1.utf8.count }
    }
}
