import Foundation
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkTools

/// SplitMix64 from NeuroLinkTestSupport: every random test replays the same inputs.
typealias BuiltInToolsRandom = SeededGenerator

/// The `ToolError` a call throws, or nil when it succeeds.
func builtInToolError(_ tool: some BuiltInTool, _ argumentsJSON: String) async -> ToolError? {
    do throws(ToolError) {
        _ = try await tool.execute(argumentsJSON: argumentsJSON)
        return nil
    } catch {
        return error
    }
}

/// `value` as a JSON string literal, for building arguments.
func builtInJSONString(_ value: String) -> String {
    let data = (try? JSONEncoder().encode(value)) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
