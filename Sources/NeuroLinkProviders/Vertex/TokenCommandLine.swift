import Foundation

/// The configured `token_command`: how a command line written as one string becomes the
/// program and arguments that are run.
///
/// No shell is involved unless the operator writes one (`sh -c '…'`): words are split on
/// whitespace, single quotes keep text literally, double quotes and backslashes escape as in a
/// POSIX shell, and nothing is expanded (`$VAR`, `*`, `~`, `|` are ordinary characters).
public enum TokenCommandLine {
    /// Why a command line cannot be used.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with the command line; safe to show.
        public var message: String
        public var description: String { message }
    }

    /// The words of `text`.
    public static func split(_ text: String) throws(Problem) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                // Inside double quotes only `\"`, `\\`, `\$` and `` \` `` lose their backslash, as in sh.
                if quote == "\"", !"\"\\$`".contains(character) { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("'", _):
                word.append(character)
            case (_, "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        guard quote == nil else {
            throw Problem(message: "has an unterminated \(quote == "'" ? "single" : "double") quote")
        }
        guard !escaped else { throw Problem(message: "ends with a lone backslash") }
        if inWord { words.append(word) }
        guard !words.isEmpty else { throw Problem(message: "is empty") }
        return words
    }

    /// The path of `program`: as written when it contains a `/` (relative paths against
    /// `directory`), else the first executable file of that name in `searchPath` (a `PATH` value).
    /// `nil` when nothing executable is found.
    public static func resolve(_ program: String, searchPath: String?, directory: String? = nil) -> String? {
        let files = FileManager.default
        if program.contains("/") {
            let path =
                program.hasPrefix("/") || directory == nil ? program : directory.map { $0 + "/" + program } ?? program
            return files.isExecutableFile(atPath: path) ? path : nil
        }
        let path = searchPath.flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory + "/" + program
            var isDirectory: ObjCBool = false
            if files.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                files.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }
}
