import NeuroLinkProtocol
import NeuroLinkTools

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The tools the daemon can run, for one configuration generation: the built-in tools and those
/// of an external source (MCP servers), built-in names first. A call runs with `tools.timeout_ms`
/// and its output is cut at `tools.max_output_bytes`; a tool's failure is its result (what a model
/// would be shown), never an RPC error.
public struct ToolCatalog: Sendable {
    let tools: [String: any BuiltInTool]
    let settings: DaemonConfig.Tools
    /// Each tool's schema, parsed once.
    let schemas: [String: JSONValue]
    let external: (any ExternalToolSource)?

    public init(_ settings: DaemonConfig.Tools, external: (any ExternalToolSource)? = nil) {
        self.settings = settings
        self.external = external
        let builtIn = settings.builtIn ? BuiltInTools.all(fileRoots: settings.fileRoots) : []
        tools = Dictionary(builtIn.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // The protocol's parser, not JSONDecoder: every pipeline built at start-up reads these.
        schemas = tools.compactMapValues { tool in try? JSONValue(parsing: tool.parametersSchema) }
    }

    /// Every tool, by name.
    public var list: [ToolInfo] {
        let builtIn = tools.values.map {
            ToolInfo(name: $0.name, source: "builtin", description: $0.description, parameters: schemas[$0.name])
        }
        return (builtIn + externalTools).sorted { $0.name < $1.name }
    }

    /// The external source's tools whose names no built-in tool has.
    private var externalTools: [ToolInfo] {
        (external?.tools ?? []).filter { tools[$0.name] == nil }
    }

    /// The tool `name` as the model is offered it, with ``ToolExecution/daemon``; `nil` when no
    /// tool has that name.
    func definition(_ name: String) -> ToolDefinition? {
        if let tool = tools[name] {
            return ToolDefinition(
                name: tool.name,
                description: tool.description,
                parameters: schemas[tool.name],
                execution: .daemon
            )
        }
        return externalTools.first { $0.name == name }.map(Self.definition)
    }

    /// Every tool as the model is offered it, by name.
    var definitions: [ToolDefinition] {
        (tools.keys.sorted().compactMap(definition) + externalTools.map(Self.definition)).sorted { $0.name < $1.name }
    }

    private static func definition(_ tool: ToolInfo) -> ToolDefinition {
        ToolDefinition(name: tool.name, description: tool.description, parameters: tool.parameters, execution: .daemon)
    }

    /// Runs `request`'s tool; `nil` when no tool has that name.
    public func call(_ request: ToolCallRequest) async -> ToolCallResult? {
        guard let tool = tools[request.name] else { return await callExternal(request) }
        let arguments = Self.jsonText(request.arguments ?? .object([:]))
        let started = ContinuousClock.now
        let outcome = await withTaskGroup(of: Result<String, ToolError>?.self) { group in
            group.addTask {
                do throws(ToolError) { return .success(try await tool.execute(argumentsJSON: arguments)) } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(settings.timeoutMs))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        let durationMs = Milliseconds.of(.now - started)
        switch outcome {
        case .success(let output)?:
            return ToolCallResult(name: tool.name, content: cut(output), error: nil, durationMs: durationMs)
        case .failure(let error)?:
            return ToolCallResult(name: tool.name, content: nil, error: error.message, durationMs: durationMs)
        case nil:
            let message = "the tool did not finish within tools.timeout_ms (\(settings.timeoutMs) ms)"
            return ToolCallResult(name: tool.name, content: nil, error: message, durationMs: durationMs)
        }
    }

    /// Runs `request`'s tool of the external source; `nil` when it has none of that name.
    private func callExternal(_ request: ToolCallRequest) async -> ToolCallResult? {
        guard let external else { return nil }
        let started = ContinuousClock.now
        let arguments = Self.jsonText(request.arguments ?? .object([:]))
        let outcome = await external.call(
            request.name,
            argumentsJSON: arguments,
            timeout: .milliseconds(settings.timeoutMs)
        )
        let durationMs = Milliseconds.of(.now - started)
        switch outcome {
        case nil: return nil
        case .success(let output)?:
            return ToolCallResult(name: request.name, content: cut(output), error: nil, durationMs: durationMs)
        case .failure(let failure)?:
            return ToolCallResult(name: request.name, content: nil, error: cut(failure.message), durationMs: durationMs)
        }
    }

    /// `output` within `max_output_bytes`, cut at a Unicode scalar boundary, saying so.
    func cut(_ output: String) -> String {
        let utf8 = output.utf8
        guard utf8.count > settings.maxOutputBytes else { return output }
        var end = utf8.index(utf8.startIndex, offsetBy: settings.maxOutputBytes)
        while end > utf8.startIndex, end.samePosition(in: output.unicodeScalars) == nil {
            end = utf8.index(before: end)
        }
        return String(output[..<end]) + "\n[output cut at \(settings.maxOutputBytes) bytes (tools.max_output_bytes)]"
    }

    private static func jsonText(_ value: JSONValue) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
