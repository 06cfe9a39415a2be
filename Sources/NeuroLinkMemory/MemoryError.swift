import GRDB

/// The memory database cannot be opened, or was asked for something it cannot store.
public struct MemoryError: Error, CustomStringConvertible, Hashable {
    public let description: String

    public init(description: String) {
        self.description = description
    }

    init(path: String, _ error: any Error) {
        let reason = (error as? DatabaseError).map { $0.message ?? "\($0.resultCode)" } ?? "\(error)"
        description = "memory database \(path): \(reason)"
    }

    /// SQLite binds text up to its first NUL, so two ids that differ after a NUL would name the same
    /// session: such ids are refused rather than merged.
    static func invalidKey(_ name: String) -> MemoryError {
        MemoryError(description: "memory: \(name) must not contain a NUL character")
    }
}
