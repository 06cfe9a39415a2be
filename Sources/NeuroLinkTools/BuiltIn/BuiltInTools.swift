#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The catalog of built-in tools.
public enum BuiltInTools {
    /// Every built-in tool for this configuration: the clock and calculator always, the file tools
    /// only when `fileRoots` names at least one directory.
    ///
    /// - Parameters:
    ///   - fileRoots: The directories `readFile` and `listDirectory` are confined to.
    ///   - maxFileBytes: The most `readFile` returns from one call.
    ///   - clock: The current time, injected so tests can fix it.
    public static func all(
        fileRoots: [String],
        maxFileBytes: Int = ReadFileTool.defaultMaxBytes,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) -> [any BuiltInTool] {
        var tools: [any BuiltInTool] = [CurrentTimeTool(clock: clock), CalculateMathTool()]
        let roots = FileToolRoots(roots: fileRoots)
        if !roots.isEmpty {
            tools.append(ReadFileTool(roots: roots, maxBytes: maxFileBytes))
            tools.append(ListDirectoryTool(roots: roots))
        }
        return tools
    }
}
