#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directories the file tools may read, and nothing outside them.
///
/// A requested path is resolved with `realpath` (every symlink followed, `..` removed) and must
/// then lie inside a resolved root, compared by whole components: `/data2/x` is not inside
/// `/data`. Roots are resolved at each call, so a root created after start-up still works and a
/// missing root confines to nothing.
public struct FileToolRoots: Sendable, Equatable {
    /// The configured roots, as given.
    public var roots: [String]

    /// Roots `roots`; empty strings are dropped.
    public init(roots: [String]) {
        self.roots = roots.filter { !$0.isEmpty }
    }

    /// True when there is no root, and the file tools are not offered.
    public var isEmpty: Bool { roots.isEmpty }

    /// The roots that exist, resolved.
    var resolvedRoots: [String] { roots.compactMap(PosixFiles.realPath) }

    /// The real path of `requested`, which must lie inside a root. A relative path is tried
    /// against each root in order; an absolute one is taken as it is.
    ///
    /// Every failure (missing, unreadable, outside the roots) gives the same message, so the
    /// answer says nothing about what exists outside the roots.
    func resolve(_ requested: String) throws(ToolError) -> String {
        guard !requested.utf8.contains(0) else { throw ToolError("The path must not contain a NUL character.") }
        guard requested.utf8.count <= 4096 else { throw ToolError("The path is longer than 4096 bytes.") }
        let resolvedRoots = self.resolvedRoots
        let candidates =
            requested.hasPrefix("/") ? [requested] : roots.map { Self.joined($0, requested) }
        for candidate in candidates {
            if let resolved = PosixFiles.realPath(candidate), Self.isInside(resolved, anyOf: resolvedRoots) {
                return resolved
            }
        }
        throw notFound(requested)
    }

    /// Whether `path` (resolved) lies inside one of `roots` (resolved), by whole components.
    static func isInside(_ path: String, anyOf roots: [String]) -> Bool {
        let pathComponents = components(path)
        return roots.contains { root in
            let rootComponents = components(root)
            return pathComponents.count >= rootComponents.count
                && pathComponents.prefix(rootComponents.count).elementsEqual(rootComponents)
        }
    }

    /// Confirms that `descriptor`, opened by the resolved path `opened`, is inside a root. Run
    /// after `open`, this catches a directory on the path swapped for a symlink in between:
    /// `O_NOFOLLOW` guards only the last component.
    func confirmInside(descriptor: Int32, opened: String, requested: String) throws(ToolError) {
        let path = PosixFiles.path(of: descriptor) ?? PosixFiles.path(of: descriptor, expected: opened)
        guard let path, Self.isInside(path, anyOf: resolvedRoots) else {
            throw notFound(requested)
        }
    }

    func notFound(_ requested: String) -> ToolError {
        let list = roots.map { "'\($0)'" }.joined(separator: ", ")
        return ToolError("'\(BuiltInText.clipped(requested))' was not found in the allowed directories (\(list)).")
    }

    /// Roots listed for a tool's description.
    var summary: String { roots.joined(separator: ", ") }

    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func joined(_ root: String, _ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }
}
