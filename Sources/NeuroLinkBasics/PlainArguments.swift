/// A command line made only of plain words and of options from a known set, each given at most once as
/// `--name value` or `--name=value`, with a value that is neither empty nor looks like an option: the
/// forms a program's hot entry points read without its full argument parser (whose reflection over
/// the command costs milliseconds of start-up). Anything else is not plain, and left to that parser.
public struct PlainArguments: Equatable, Sendable {
    /// Each option given, by its name (`--socket`).
    public var options: [String: String]
    /// The arguments that are not options, in order.
    public var words: [String]

    /// `arguments` (after the program name) read with the options `names`; nil unless plain.
    public init?(_ arguments: [String], options names: Set<String>) {
        var options: [String: String] = [:]
        var words: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("-") else {
                words.append(argument)
                continue
            }
            let (name, inline) = Self.split(argument)
            guard names.contains(name), options[name] == nil,
                let value = inline ?? rest.popFirst(), !value.isEmpty, !value.hasPrefix("-")
            else { return nil }
            options[name] = value
        }
        self.options = options
        self.words = words
    }

    /// `--name=value` as its name and value; any other argument as itself and nil.
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
