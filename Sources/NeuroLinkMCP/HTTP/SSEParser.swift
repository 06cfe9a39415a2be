#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An incremental `text/event-stream` parser that returns the data of each complete event.
/// Event names, ids and retry hints are not needed: every MCP message is a JSON-RPC text.
struct SSEParser {
    /// An event larger than this is dropped rather than buffered without bound.
    static let maximumEventBytes = 16 << 20

    private var pending: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false

    /// Adds bytes; returns the data of the events they completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Data] {
        pending.append(contentsOf: bytes)
        var events: [Data] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if let event = process(line) { events.append(event) }
            start = newline + 1
        }
        pending.removeSubrange(..<start)
        if pending.count + data.count > Self.maximumEventBytes { reset() }
        return events
    }

    /// Ends the stream: a last event without its blank line still counts.
    mutating func finish() -> [Data] {
        var events = feed([UInt8(ascii: "\n")])
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func process(_ line: ArraySlice<UInt8>) -> Data? {
        if line.isEmpty { return dispatch() }
        guard line.first != UInt8(ascii: ":") else { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        guard line[..<colon].elementsEqual("data".utf8) else { return nil }
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if hasData { data.append(UInt8(ascii: "\n")) }
        data.append(contentsOf: value)
        hasData = true
        return nil
    }

    private mutating func dispatch() -> Data? {
        defer { reset() }
        guard hasData, !data.isEmpty else { return nil }
        return Data(data)
    }

    private mutating func reset() {
        data.removeAll(keepingCapacity: true)
        hasData = false
    }
}
