/// `listDirectory`: the entries of a directory inside the allowed directories.
///
/// Arguments: `path` (string, optional; relative to a root or absolute inside one; empty or
/// missing means the first root that exists).
///
/// Result: JSON text with sorted keys:
/// `{"entries":[{"name":"a.txt","size":12,"type":"file"},{"name":"docs","type":"directory"}],
/// "path":"/srv/data","totalEntries":2,"truncated":false}`. Entries are sorted by name, without
/// `.` and `..`; `type` is `file`, `directory`, `symlink` (not followed) or `other`; `size` is
/// given for files only. At most `maxEntries` are listed; `truncated` says when there were more,
/// and `totalEntries` is omitted when there were too many to count (over 100,000).
public struct ListDirectoryTool: BuiltInTool {
    /// 1,000.
    public static let defaultMaxEntries = 1000

    public let name = "listDirectory"
    public let parametersSchema = #"""
        {
          "type": "object",
          "properties": {
            "path": {
              "type": "string",
              "description": "The directory, relative to an allowed directory or absolute inside one. Default: the first allowed directory."
            }
          },
          "additionalProperties": false
        }
        """#
    private let roots: FileToolRoots
    private let scan: DirectoryScan

    /// A tool listing inside `roots`, at most `maxEntries` (at least 1) per directory.
    public init(roots: FileToolRoots, maxEntries: Int = defaultMaxEntries) {
        self.roots = roots
        scan = DirectoryScan(maxEntries: max(1, maxEntries))
    }

    public var description: String {
        """
        Lists a directory inside the allowed directories (\(roots.summary)): each entry's name, type \
        (file, directory, symlink, other) and, for files, size in bytes. Sorted by name; at most \
        \(scan.maxEntries) entries.
        """
    }

    public func execute(argumentsJSON: String) async throws(ToolError) -> String {
        let arguments = try BuiltInArguments(json: argumentsJSON, accepted: ["path"])
        let requested = try arguments.string("path") ?? ""
        let path = requested.isEmpty ? "." : requested
        let resolved = try roots.resolve(path)
        let (descriptor, _) = try roots.openConfined(resolved, as: .directory, requested: path)
        guard let listing = scan.list(descriptor) else {
            throw ToolError("'\(BuiltInText.clipped(path))' could not be listed.")
        }
        let truncated = listing.total.map { $0 > listing.entries.count } ?? true
        let output = Output(entries: listing.entries, path: resolved, totalEntries: listing.total, truncated: truncated)
        return try BuiltInText.json(output)
    }

    private struct Output: Encodable {
        var entries: [DirectoryEntry]
        var path: String
        var totalEntries: Int?
        var truncated: Bool
    }
}
