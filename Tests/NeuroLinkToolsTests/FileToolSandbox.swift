import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory tree under /tmp for one test, removed when the test ends:
///
///     data/            the root
///       hello.txt, sub/inner.txt, empty.txt
///       link-inside -> hello.txt
///       escape-file -> ../outside/secret.txt
///       escape-dir -> ../outside
///       zero -> /dev/zero
///       fifo             (a named pipe)
///     data2/secret2.txt  a sibling whose name starts with the root's
///     outside/secret.txt
struct FileToolSandbox {
    let base: String

    var root: String { base + "/data" }

    /// Runs `body` in a fresh sandbox and removes it afterwards, whatever happens.
    static func with<T>(_ body: (FileToolSandbox) async throws -> T) async throws -> T {
        var template = Array("/tmp/nltools-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw FileToolSandboxError(reason: "mkdtemp failed") }
        let sandbox = FileToolSandbox(
            base: String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
        defer { try? FileManager.default.removeItem(atPath: sandbox.base) }
        try sandbox.populate()
        return try await body(sandbox)
    }

    private func populate() throws {
        try directory("data/sub")
        try directory("data2")
        try directory("outside")
        try write("data/hello.txt", "Hello, world!\n")
        try write("data/sub/inner.txt", "inner")
        try write("data/empty.txt", "")
        try write("data2/secret2.txt", "secret two")
        try write("outside/secret.txt", "secret")
        try link("data/link-inside", to: "hello.txt")
        try link("data/escape-file", to: "../outside/secret.txt")
        try link("data/escape-dir", to: "../outside")
        try link("data/zero", to: "/dev/zero")
        guard mkfifo(base + "/data/fifo", 0o600) == 0 else { throw FileToolSandboxError(reason: "mkfifo failed") }
    }

    func path(_ relative: String) -> String { base + "/" + relative }

    func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    func write(_ relative: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(relative)))
    }

    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target)
    }

    func move(_ relative: String, to destination: String) throws {
        try FileManager.default.moveItem(atPath: path(relative), toPath: path(destination))
    }

    /// The message every refused or missing path gets, so a test can check that a refusal says
    /// no more than "not found".
    func notFound(_ requested: String, roots: [String]? = nil) -> String {
        let list = (roots ?? [root]).map { "'\($0)'" }.joined(separator: ", ")
        return "'\(requested)' was not found in the allowed directories (\(list))."
    }
}

struct FileToolSandboxError: Error {
    var reason: String
}
