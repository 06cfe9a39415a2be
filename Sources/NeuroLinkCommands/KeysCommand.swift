import ArgumentParser
import Crypto
import FoundationEssentials

/// `nlctl keys hash`: the SHA-256 of an API key for `http.api_keys`, so that the configuration
/// never holds the key itself.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "API keys of the HTTP front.",
        subcommands: [Hash.self]
    )

    struct Hash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash",
            abstract: "Read a key on standard input; print its SHA-256 for http.api_keys[].sha256."
        )

        func run() async throws {
            // The key is read, not taken as an argument: arguments end up in shell history and `ps`.
            let key = Terminal.readStandardInput().trimmed()
            guard !key.isEmpty else {
                throw ValidationError("give the key on standard input, e.g. nlctl keys hash < key.txt")
            }
            try CacheCommand.print(Self.hex(key) + "\n")
        }

        static func hex(_ key: String) -> String {
            SHA256.hash(data: Data(key.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }
}
