import Foundation
import Testing

@testable import NeuroLinkCommands

#if canImport(Glibc)
import Glibc
#endif

/// `LineReader` over a pipe: lines, line endings, over-long lines and waking.
@Suite struct LineReaderTests {
    /// A reader of a file holding `text`, limited to `maxLineBytes`.
    static func reader(_ text: String, maxLineBytes: Int = 1 << 20) throws -> LineReader {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        return LineReader(descriptor: descriptor, maxLineBytes: maxLineBytes, closes: true)
    }

    static func all(_ reader: LineReader) -> [LineReader.Line] {
        var lines: [LineReader.Line] = []
        while true {
            let line = reader.readLine()
            lines.append(line)
            if line == .end { return lines }
        }
    }

    @Test func linesWithAnyEndingAndALastLineWithoutOne() throws {
        let lines = Self.all(try Self.reader("one\r\ntwo\n\nthree"))
        #expect(lines == [.text("one"), .text("two"), .text(""), .text("three"), .end])
    }

    @Test func aLineOverTheLimitIsSkippedAndTheNextOneRead() throws {
        let long = String(repeating: "x", count: 100)
        let lines = Self.all(try Self.reader("a\n\(long)\nb\n\(long)", maxLineBytes: 10))
        #expect(lines == [.text("a"), .tooLong(bytes: 100), .text("b"), .tooLong(bytes: 100), .end])
    }

    @Test func aLongInputIsReadWhole() async throws {
        let text = (0..<20_000).map { "line \($0)" }.joined(separator: "\n")
        let reader = try Self.reader(text)
        var count = 0
        while case .text(let line) = await reader.next() {
            #expect(line == "line \(count)")
            count += 1
        }
        #expect(count == 20_000)
    }

    @Test func theWakePipeEndsAWait() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let wake = try #require(WakePipe.make())
        let reader = LineReader(descriptor: ends[0], wake: wake.readEnd, closes: true)
        wake.signal()
        #expect(await reader.next() == .woken)
        var bytes = Array("after\n".utf8)
        #expect(write(ends[1], &bytes, bytes.count) == bytes.count)
        #expect(await reader.next() == .text("after"))
    }
}
