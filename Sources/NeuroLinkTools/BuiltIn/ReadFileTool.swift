#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `readFile`: the text of a UTF-8 file inside the allowed directories.
///
/// Arguments: `path` (string, required; relative to a root, tried against each root in order, or
/// absolute inside one), `offset` (integer ≥ 0, optional) and `length` (integer 1…`maxBytes`,
/// optional). Without either, the whole file is returned, and a file over `maxBytes` is an error
/// that gives its size. With either, the bytes `offset..<offset+length` are returned (`length`
/// defaults to `maxBytes`), moved to whole characters: continuation bytes at the start belong to
/// the previous window and are dropped, and a character cut at the end is completed, so windows
/// laid end to end return every character once.
///
/// Result: the text itself, unchanged. Files with a NUL byte or invalid UTF-8 are refused as
/// binary; FIFOs, sockets and devices are refused before they are opened.
public struct ReadFileTool: BuiltInTool {
    /// 256 KiB.
    public static let defaultMaxBytes = 262_144

    public let name = "readFile"
    /// The most bytes one call returns.
    public let maxBytes: Int
    private let roots: FileToolRoots

    /// A tool reading inside `roots`, at most `maxBytes` (at least 1) per call.
    public init(roots: FileToolRoots, maxBytes: Int = defaultMaxBytes) {
        self.roots = roots
        self.maxBytes = max(1, min(maxBytes, 1 << 30))
    }

    public var description: String {
        """
        Reads a UTF-8 text file inside the allowed directories (\(roots.summary)). Paths are relative to an \
        allowed directory, or absolute inside one. Files over \(maxBytes) bytes must be read in parts with \
        offset and length.
        """
    }

    public var parametersSchema: String {
        #"""
        {
          "type": "object",
          "properties": {
            "path": {
              "type": "string",
              "description": "The file, relative to an allowed directory or absolute inside one."
            },
            "offset": { "type": "integer", "minimum": 0, "description": "First byte to read. Default: 0." },
            "length": {
              "type": "integer",
              "minimum": 1,
              "maximum": \#(maxBytes),
              "description": "Bytes to read from offset. Default: the most allowed."
            }
          },
          "required": ["path"],
          "additionalProperties": false
        }
        """#
    }

    public func execute(argumentsJSON: String) async throws(ToolError) -> String {
        let arguments = try BuiltInArguments(json: argumentsJSON, accepted: ["path", "offset", "length"])
        let path = try arguments.requiredString("path")
        guard !path.isEmpty else { throw ToolError("The argument 'path' must name a file.") }
        let offset = try arguments.integer("offset", in: 0...Self.largestOffset)
        let length = try arguments.integer("length", in: 1...maxBytes)
        let resolved = try roots.resolve(path)
        let (descriptor, status) = try roots.openConfined(resolved, as: .file, requested: path)
        defer { close(descriptor) }
        let bytes: [UInt8]
        if offset != nil || length != nil {
            let window = ReadWindow(offset: offset ?? 0, length: length ?? maxBytes)
            bytes = try window.read(descriptor, size: Int(status.st_size), requested: path)
        } else {
            bytes = try readWhole(descriptor, size: Int(status.st_size), requested: path)
        }
        return try Self.text(bytes, requested: path)
    }

    /// 2^53 − 1: every offset a JSON number holds exactly.
    static let largestOffset = 9_007_199_254_740_991

    private func readWhole(_ descriptor: Int32, size: Int, requested: String) throws(ToolError) -> [UInt8] {
        // One byte more than the limit tells an oversize file even when `st_size` is stale or 0.
        let bytes = try ReadWindow.read(descriptor, offset: 0, count: maxBytes + 1, requested: requested)
        guard bytes.count <= maxBytes else {
            let path = BuiltInText.clipped(requested)
            throw ToolError(
                "'\(path)' is \(max(size, bytes.count)) bytes, over the limit of \(maxBytes) bytes per call; "
                    + "read it in parts with offset and length."
            )
        }
        return bytes
    }

    /// `bytes` as a string, when they are UTF-8 text.
    static func text(_ bytes: [UInt8], requested: String) throws(ToolError) -> String {
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            let path = BuiltInText.clipped(requested)
            throw ToolError("'\(path)' is not UTF-8 text (it looks binary); readFile reads text files only.")
        }
        return text
    }
}

/// A byte range of a file, moved to UTF-8 character boundaries.
struct ReadWindow: Sendable, Equatable {
    var offset: Int
    var length: Int

    /// The longest UTF-8 sequence has three continuation bytes.
    private static let maxContinuationBytes = 3

    func read(_ descriptor: Int32, size: Int, requested: String) throws(ToolError) -> [UInt8] {
        guard offset < size || offset == 0 else {
            throw ToolError(
                "The offset \(offset) is past the end of '\(BuiltInText.clipped(requested))', which is \(size) bytes."
            )
        }
        let count = length + Self.maxContinuationBytes
        return trimmed(try Self.read(descriptor, offset: offset, count: count, requested: requested))
    }

    /// `bytes` read from `offset` (with up to three bytes past the window) cut to the window,
    /// moved to character boundaries.
    func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        if offset > 0 {
            while start < min(bytes.count, Self.maxContinuationBytes), Self.isContinuation(bytes[start]) { start += 1 }
        }
        var end = min(length, bytes.count)
        var extended = 0
        while end < bytes.count, extended < Self.maxContinuationBytes, Self.isContinuation(bytes[end]) {
            end += 1
            extended += 1
        }
        return start < end ? Array(bytes[start..<end]) : []
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    static func read(_ descriptor: Int32, offset: Int, count: Int, requested: String) throws(ToolError) -> [UInt8] {
        switch PosixFiles.read(descriptor, offset: offset, count: count) {
        case .success(let bytes): return bytes
        case .failure(let error):
            let reason = String(cString: strerror(error.code))
            throw ToolError("'\(BuiltInText.clipped(requested))' could not be read: \(reason).")
        }
    }
}
