import Foundation
import Testing

@testable import NeuroLinkTools

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ReadFileToolTests {
    private func tool(_ sandbox: FileToolSandbox, maxBytes: Int = ReadFileTool.defaultMaxBytes) -> ReadFileTool {
        ReadFileTool(roots: FileToolRoots(roots: [sandbox.root]), maxBytes: maxBytes)
    }

    private func read(_ tool: ReadFileTool, _ path: String, _ extra: String = "") async throws(ToolError) -> String {
        try await tool.execute(argumentsJSON: #"{"path":\#(builtInJSONString(path))\#(extra)}"#)
    }

    private func refusal(_ tool: ReadFileTool, _ path: String) async -> String? {
        await builtInToolError(tool, #"{"path":\#(builtInJSONString(path))}"#)?.message
    }

    @Test func readsFilesInsideTheRoot() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let tool = tool(sandbox)
            #expect(try await read(tool, "hello.txt") == "Hello, world!\n")
            #expect(try await read(tool, sandbox.root + "/hello.txt") == "Hello, world!\n")
            #expect(try await read(tool, "sub/inner.txt") == "inner")
            #expect(try await read(tool, "sub/../hello.txt") == "Hello, world!\n")
            #expect(try await read(tool, "./sub//inner.txt") == "inner")
            #expect(try await read(tool, "link-inside") == "Hello, world!\n")
            #expect(try await read(tool, "empty.txt") == "")
        }
    }

    @Test func refusalsSayNoMoreThanNotFound() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let tool = tool(sandbox)
            let refused = [
                "../outside/secret.txt", "../outside/missing.txt", sandbox.path("outside/secret.txt"),
                "escape-file", "escape-dir/secret.txt", "escape-dir/missing.txt", "zero", "/etc/passwd",
                "/etc/no-such-file", sandbox.path("data2/secret2.txt"), "../data2/secret2.txt", "missing.txt",
                "sub/../../outside/secret.txt", "/", "..",
            ]
            for path in refused {
                #expect(await refusal(tool, path) == sandbox.notFound(path), "\(path)")
            }
        }
    }

    @Test func aSiblingWithTheRootsNameAsPrefixIsOutside() {
        #expect(!FileToolRoots.isInside("/data2/x", anyOf: ["/data"]))
        #expect(!FileToolRoots.isInside("/data2", anyOf: ["/data"]))
        #expect(FileToolRoots.isInside("/data", anyOf: ["/data"]))
        #expect(FileToolRoots.isInside("/data/x/y", anyOf: ["/elsewhere", "/data"]))
        #expect(FileToolRoots.isInside("/anything", anyOf: ["/"]))
        #expect(!FileToolRoots.isInside("/", anyOf: ["/data"]))
    }

    @Test func relativePathsAreTriedAgainstEachRootInTurn() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let tool = ReadFileTool(roots: FileToolRoots(roots: [sandbox.root, sandbox.path("data2")]))
            #expect(try await read(tool, "secret2.txt") == "secret two")
            #expect(try await read(tool, "hello.txt") == "Hello, world!\n")
            // Inside the other root, so allowed.
            #expect(try await read(tool, "../data2/secret2.txt") == "secret two")
        }
    }

    @Test(.timeLimit(.minutes(1))) func nonRegularFilesAreRefusedWithoutBlocking() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let fifo = await refusal(tool(sandbox), "fifo")
            #expect(fifo == "'fifo' is not a regular file; readFile reads regular files only.")
            #expect(await refusal(tool(sandbox), "sub")?.contains("is a directory; use listDirectory") == true)
            let devices = ReadFileTool(roots: FileToolRoots(roots: ["/dev"]))
            #expect(await refusal(devices, "zero")?.contains("not a regular file") == true)
            #expect(await refusal(devices, "/dev/null")?.contains("not a regular file") == true)
        }
    }

    @Test func binaryFilesAreRefused() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            try sandbox.write("data/nul.bin", bytes: [0x48, 0x00, 0x49])
            try sandbox.write("data/latin1.txt", bytes: [0x63, 0x61, 0x66, 0xE9])
            for path in ["nul.bin", "latin1.txt"] {
                #expect(await refusal(tool(sandbox), path)?.contains("is not UTF-8 text") == true)
            }
        }
    }

    @Test func oversizeFilesAreRefusedButCanBeReadInWindows() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let text = (0..<10).map { "line \($0)\n" }.joined()  // 70 bytes
            try sandbox.write("data/big.txt", text)
            let tool = tool(sandbox, maxBytes: 64)
            #expect(
                await refusal(tool, "big.txt")
                    == "'big.txt' is 70 bytes, over the limit of 64 bytes per call; read it in parts with offset and length."
            )
            let head = try await read(tool, "big.txt", #","offset":0,"length":64"#)
            let tail = try await read(tool, "big.txt", #","offset":64"#)
            #expect(head + tail == text)
            #expect(try await read(tool, "big.txt", #","length":6"#) == "line 0")
            let past = await builtInToolError(tool, #"{"path":"big.txt","offset":70}"#)?.message
            #expect(past == "The offset 70 is past the end of 'big.txt', which is 70 bytes.")
            #expect(await builtInToolError(tool, #"{"path":"big.txt","length":65}"#) != nil)
            #expect(await builtInToolError(tool, #"{"path":"big.txt","offset":-1}"#) != nil)
        }
    }

    @Test func windowsMoveToCharacterBoundariesAndTileTheFile() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let text = "aé€😀b\n日本語 ok"
            try sandbox.write("data/utf8.txt", text)
            let tool = tool(sandbox)
            let size = text.utf8.count
            for length in 1...7 {
                var joined = ""
                for offset in stride(from: 0, to: size, by: length) {
                    joined += try await read(tool, "utf8.txt", #","offset":\#(offset),"length":\#(length)"#)
                }
                #expect(joined == text, "length \(length)")
            }
        }
    }

    @Test func badArgumentsAreToolErrors() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let tool = tool(sandbox)
            #expect(await builtInToolError(tool, "{}")?.message == "The argument 'path' is required.")
            #expect(await builtInToolError(tool, #"{"path":1}"#)?.message == "The argument 'path' must be a string.")
            #expect(
                await builtInToolError(tool, #"{"path":"hello.txt","mode":"w"}"#)?.message.contains("Unknown") == true
            )
            #expect(
                await refusal(tool, "hello.txt\u{0}../../etc/passwd") == "The path must not contain a NUL character."
            )
            #expect(await refusal(tool, "") == "The argument 'path' must name a file.")
        }
    }

    @Test func aDirectorySwappedForASymlinkAfterResolvingIsCaught() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let roots = FileToolRoots(roots: [sandbox.root])
            let resolved = try roots.resolve("sub/inner.txt")
            // The race an attacker would need to win, made certain: `sub` now leads outside.
            try sandbox.write("outside/inner.txt", "outside")
            try sandbox.move("data/sub", to: "data/sub-before")
            try sandbox.link("data/sub", to: "../outside")
            #expect(throws: ToolError(sandbox.notFound("sub/inner.txt"))) {
                _ = try roots.openConfined(resolved, as: .file, requested: "sub/inner.txt")
            }
        }
    }

    @Test func aFileSwappedForASymlinkAfterResolvingIsCaught() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let roots = FileToolRoots(roots: [sandbox.root])
            let resolved = try roots.resolve("hello.txt")
            try sandbox.move("data/hello.txt", to: "data/hello-before.txt")
            try sandbox.link("data/hello.txt", to: "../outside/secret.txt")
            #expect(throws: ToolError.self) {
                _ = try roots.openConfined(resolved, as: .file, requested: "hello.txt")
            }
        }
    }

    @Test func withoutProcTheInodeCheckStandsIn() async throws {
        try await FileToolSandbox.with { (sandbox: FileToolSandbox) async throws in
            let resolved = try #require(PosixFiles.realPath(sandbox.path("data/hello.txt")))
            let descriptor = open(resolved, O_RDONLY)
            defer { close(descriptor) }
            #expect(PosixFiles.path(of: descriptor, expected: resolved) == resolved)
            try sandbox.move("data/hello.txt", to: "data/hello-before.txt")
            try sandbox.write("data/hello.txt", "replaced")
            #expect(PosixFiles.path(of: descriptor, expected: resolved) == nil)
        }
    }
}
