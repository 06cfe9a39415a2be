import Foundation
import Testing

@testable import NeuroLinkTools

@Suite struct ListDirectoryToolTests {
    private struct Listing: Decodable, Equatable {
        struct Entry: Decodable, Equatable {
            var name: String
            var type: String
            var size: Int?
        }

        var entries: [Entry]
        var path: String
        var totalEntries: Int?
        var truncated: Bool
    }

    private func list(_ tool: ListDirectoryTool, _ argumentsJSON: String) async throws -> Listing {
        let text = try await tool.execute(argumentsJSON: argumentsJSON)
        return try JSONDecoder().decode(Listing.self, from: Data(text.utf8))
    }

    private func tool(
        _ sandbox: FileToolSandbox,
        maxEntries: Int = ListDirectoryTool.defaultMaxEntries
    ) -> ListDirectoryTool {
        ListDirectoryTool(roots: FileToolRoots(roots: [sandbox.root]), maxEntries: maxEntries)
    }

    @Test func listsEntriesSortedWithTypesAndSizes() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let listing = try await list(tool(sandbox), "{}")
            let root = try #require(PosixFiles.realPath(sandbox.root))
            let expected = Listing(
                entries: [
                    .init(name: "empty.txt", type: "file", size: 0),
                    .init(name: "escape-dir", type: "symlink"),
                    .init(name: "escape-file", type: "symlink"),
                    .init(name: "fifo", type: "other"),
                    .init(name: "hello.txt", type: "file", size: 14),
                    .init(name: "link-inside", type: "symlink"),
                    .init(name: "sub", type: "directory"),
                    .init(name: "zero", type: "symlink"),
                ],
                path: root,
                totalEntries: 8,
                truncated: false
            )
            #expect(listing == expected)
            #expect(try await list(tool(sandbox), #"{"path":""}"#) == expected)
            #expect(try await list(tool(sandbox), #"{"path":\#(builtInJSONString(sandbox.root))}"#) == expected)
            let sub = try await list(tool(sandbox), #"{"path":"sub"}"#)
            #expect(sub.entries == [.init(name: "inner.txt", type: "file", size: 5)])
            #expect(sub.path == root + "/sub")
        }
    }

    @Test func theTextIsCompactJSONWithSortedKeys() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let text = try await tool(sandbox).execute(argumentsJSON: #"{"path":"sub"}"#)
            let root = try #require(PosixFiles.realPath(sandbox.root))
            let expected =
                #"{"entries":[{"name":"inner.txt","size":5,"type":"file"}],"path":"\#(root)/sub","totalEntries":1,"truncated":false}"#
            #expect(text == expected)
        }
    }

    @Test func escapesAreRefusedLikeMissingPaths() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let refused = [
                "..", "../outside", "escape-dir", "escape-dir/", sandbox.path("outside"), sandbox.path("data2"),
                "../data2", "/", "/etc", "missing", "sub/../../outside",
            ]
            for path in refused {
                let message = await builtInToolError(tool(sandbox), #"{"path":\#(builtInJSONString(path))}"#)?.message
                #expect(message == sandbox.notFound(path), "\(path)")
            }
            let file = await builtInToolError(tool(sandbox), #"{"path":"hello.txt"}"#)?.message
            #expect(file == "'hello.txt' is a file, not a directory; use readFile to read it.")
            let fifo = await builtInToolError(tool(sandbox), #"{"path":"fifo"}"#)?.message
            #expect(fifo == "'fifo' is not a directory.")
        }
    }

    @Test func longListingsAreTruncatedAtTheLimit() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            try sandbox.directory("data/many")
            for index in 0..<1005 {
                try sandbox.write("data/many/f\(String(index + 10_000)).txt", "")
            }
            let listing = try await list(tool(sandbox), #"{"path":"many"}"#)
            #expect(listing.entries.count == 1000)
            #expect(listing.truncated)
            #expect(listing.totalEntries == 1005)
            #expect(listing.entries.first?.name == "f10000.txt")
            #expect(listing.entries.last?.name == "f10999.txt")
            let small = try await list(tool(sandbox, maxEntries: 3), "{}")
            #expect(small.entries.map(\.name) == ["empty.txt", "escape-dir", "escape-file"])
            #expect(small.truncated && small.totalEntries == 9)
        }
    }

    @Test func scansThatStopEarlyLeaveTheTotalOut() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let descriptor = try #require(try? PosixFiles.openForReading(sandbox.root, directory: true).get())
            let listing = try #require(DirectoryScan(maxEntries: 2, maxNamesScanned: 5).list(descriptor))
            #expect(listing.entries.count == 2)
            #expect(listing.total == nil)
        }
    }
}
