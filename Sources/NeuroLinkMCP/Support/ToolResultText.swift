import MCP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The text the model sees for a tool result: text items verbatim, other kinds described briefly.
enum ToolResultText {
    /// Joins the descriptions of `content` with newlines; when there is no content but structured
    /// content, its JSON text.
    static func render(_ content: [Tool.Content], structured: Value?) -> String {
        if content.isEmpty, let structured, let text = JSONText.encode(structured) { return text }
        return content.map(describe).joined(separator: "\n")
    }

    static func describe(_ item: Tool.Content) -> String {
        switch item {
        case .text(let text, _, _):
            return text
        case .image(let data, let mimeType, _, _), .audio(let data, let mimeType, _, _):
            return "[\(mimeType), \(decodedSize(data)) bytes]"
        case .resource(let resource, _, _):
            return describe(resource)
        case .resourceLink(let uri, let name, _, _, _, _):
            return "[resource link \(name): \(uri)]"
        }
    }

    private static func describe(_ resource: Resource.Content) -> String {
        if let text = resource.text { return text }
        let size = resource.blob.map(decodedSize) ?? 0
        return "[resource \(resource.uri), \(resource.mimeType ?? "application/octet-stream"), \(size) bytes]"
    }

    /// The size of base64 `data` once decoded, computed rather than decoded to avoid copying images.
    private static func decodedSize(_ data: String) -> Int {
        let characters = data.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let padding = characters.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        return max(0, characters.count / 4 * 3 - padding)
    }
}
