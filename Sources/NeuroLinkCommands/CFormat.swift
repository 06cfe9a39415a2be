#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// `format` filled in as C's `printf` would, for the fixed-width figures nlctl prints (`%.1f`, `%02x`,
    /// `%ld`); numbers always use a decimal point (nlctl never sets `LC_NUMERIC`).
    ///
    /// FoundationEssentials has no `String(format:)`, and nlctl stays off full Foundation: loading it was
    /// a large part of every short command's start-up.
    init(cFormat format: String, _ arguments: any CVarArg...) {
        self = Self.printed(format, arguments)
    }

    private static func printed(_ format: String, _ arguments: [any CVarArg]) -> String {
        var size = 64
        while true {
            var needed = 0
            let text = String(unsafeUninitializedCapacity: size) { bytes in
                let written = bytes.withMemoryRebound(to: CChar.self) { characters in
                    withVaList(arguments) { vsnprintf(characters.baseAddress, characters.count, format, $0) }
                }
                needed = Int(written)
                return Swift.min(Swift.max(needed, 0), size - 1)
            }
            guard needed >= size else { return text }
            size = needed + 1
        }
    }
}
