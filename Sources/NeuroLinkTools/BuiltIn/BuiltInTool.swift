/// A tool the daemon offers to models and runs itself.
///
/// Every built-in tool is safe by construction: it takes only the arguments its schema names,
/// bounds the work each call can do, and answers a bad call with a ``ToolError`` that the model
/// can read, never with a crash.
public protocol BuiltInTool: Sendable {
    /// The name the model calls the tool by.
    var name: String { get }
    /// What the tool does, for the model.
    var description: String { get }
    /// JSON Schema of the arguments object, as JSON text (the daemon parses it once).
    var parametersSchema: String { get }
    /// Runs the tool on the JSON object text of its arguments. Throws ``ToolError`` with a message
    /// for the model.
    func execute(argumentsJSON: String) async throws(ToolError) -> String
}

/// A call that the tool refused or could not complete; `message` is written for the model.
public struct ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong and, where it helps, how to call the tool instead.
    public var message: String

    /// An error with `message` for the model.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
