import NIOCore
import NeuroLinkProtocol

/// A request body that writes its own JSON, for the bodies built on every attempt (see
/// ``ProviderCall/post(_:body:query:headers:accept:provider:)``).
protocol JSONBodyWriting {
    func writeJSON(into buffer: inout ByteBuffer)
}

/// Places the braces and commas of one JSON object written member by member.
struct JSONObjectWriter {
    private var empty = true

    /// Starts the member `name`; its value is written next.
    mutating func member(_ name: StaticString, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(empty ? "{\"" : ",\"")
        empty = false
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
    }

    mutating func optional(_ name: StaticString, _ value: Int?, into buffer: inout ByteBuffer) {
        guard let value else { return }
        member(name, into: &buffer)
        buffer.writeString(String(value))
    }

    mutating func optional(_ name: StaticString, _ value: Double?, into buffer: inout ByteBuffer) {
        guard let value else { return }
        member(name, into: &buffer)
        buffer.writeJSONNumber(value)
    }

    func close(_ buffer: inout ByteBuffer) {
        buffer.writeStaticString(empty ? "{}" : "}")
    }
}

extension ByteBuffer {
    /// Writes `elements` as a JSON array, each by `write`.
    mutating func writeJSONArray<Element>(_ elements: [Element], _ write: (Element, inout ByteBuffer) -> Void) {
        writeInteger(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { writeInteger(UInt8(ascii: ",")) }
            write(element, &self)
        }
        writeInteger(UInt8(ascii: "]"))
    }
}
