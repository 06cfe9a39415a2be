import Foundation
import Testing

@testable import NeuroLinkTools

@Suite struct BuiltInToolsTests {
    @Test func fileToolsAreOfferedOnlyWithRoots() {
        #expect(BuiltInTools.all(fileRoots: []).map(\.name) == ["getCurrentTime", "calculateMath"])
        #expect(BuiltInTools.all(fileRoots: [""]).map(\.name) == ["getCurrentTime", "calculateMath"])
        let names = BuiltInTools.all(fileRoots: ["/srv/data"]).map(\.name)
        #expect(names == ["getCurrentTime", "calculateMath", "readFile", "listDirectory"])
    }

    @Test func everySchemaIsAnObjectSchemaInJSON() throws {
        for tool in BuiltInTools.all(fileRoots: ["/srv/data"], maxFileBytes: 1000) {
            let schema = try JSONSerialization.jsonObject(with: Data(tool.parametersSchema.utf8)) as? [String: Any]
            #expect(schema?["type"] as? String == "object", "\(tool.name)")
            #expect(schema?["additionalProperties"] as? Bool == false, "\(tool.name)")
            #expect(!tool.description.isEmpty)
        }
        let readFile = ReadFileTool(roots: FileToolRoots(roots: ["/srv"]), maxBytes: 1000)
        #expect(readFile.parametersSchema.contains(#""maximum": 1000,"#))
        #expect(readFile.description.contains("/srv"))
    }

    @Test func theCalculatorAnswersInPlainText() async throws {
        let tool = CalculateMathTool()
        #expect(try await tool.execute(argumentsJSON: #"{"expression":"2^3^2"}"#) == "512")
        #expect(try await tool.execute(argumentsJSON: #"{"expression":"-2^2"}"#) == "-4")
        #expect(try await tool.execute(argumentsJSON: #"{"expression":"0.1 + 0.2"}"#) == "0.30000000000000004")
        #expect(await builtInToolError(tool, #"{"expression":"1/0"}"#)?.message == "Division by zero at position 2.")
        #expect(await builtInToolError(tool, "{}")?.message == "The argument 'expression' is required.")
        #expect(
            await builtInToolError(tool, #"{"expression":2}"#)?.message == "The argument 'expression' must be a string."
        )
        #expect(await builtInToolError(tool, #"{"expression":["1"]}"#) != nil)
        let nested = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let long = await builtInToolError(tool, #"{"expression":"\#(nested)"}"#)
        #expect(long?.message == "The expression is longer than 1000 characters.")
    }

    @Test func integerArgumentsMustBeWholeAndInRange() throws {
        let arguments = try BuiltInArguments(
            json: #"{"a":3.0,"b":3.5,"c":-1,"d":"3","e":true,"f":1e300}"#,
            accepted: ["a", "b", "c", "d", "e", "f", "g"]
        )
        #expect(try arguments.integer("a", in: 0...10) == 3)
        #expect(try arguments.integer("g", in: 0...10) == nil)
        for name in ["b", "c", "d", "e", "f"] {
            #expect(throws: ToolError.self) { try arguments.integer(name, in: 0...10) }
        }
    }
}
