import Foundation
import NeuroLinkProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The client's check of who could have put a socket where it is about to connect (docs/protocol.md §12).
/// Real directories: the tests run as root, so "another user" is simulated with `chown` to uid 65534.
@Suite struct SocketTrustTests {
    static let other: UInt32 = 65534
    static let daemonGroup: UInt32 = 4242

    /// A fresh directory under /tmp (root-owned, sticky) with mode 0755, removed by `body`'s end.
    private func withBase(_ body: (String) throws -> Void) throws {
        let base = "/tmp/nl-trust-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o755)
        try body(base)
    }

    /// Makes `path` a directory with `mode`, owned by `uid`:`gid`, holding a file `s` owned by `socketUID`.
    @discardableResult
    private func directory(
        _ path: String,
        mode: mode_t = 0o755,
        uid: UInt32 = 0,
        gid: UInt32 = 0,
        socketUID: UInt32 = 0
    ) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let socket = path + "/s"
        #expect(FileManager.default.createFile(atPath: socket, contents: nil))
        #expect(chown(socket, socketUID, 0) == 0)
        #expect(chown(path, uid, gid) == 0)
        #expect(chmod(path, mode) == 0)
        return socket
    }

    private func verify(
        _ path: String,
        trust: SocketTrust = SocketTrust(callerUID: 0, daemonGroup: nil)
    ) -> Result<
        String, SocketTrust.Failure
    > {
        Result { () throws(SocketTrust.Failure) in try trust.verify(path) }
    }

    private func reason(_ result: Result<String, SocketTrust.Failure>) -> String? {
        if case .failure(.untrusted(let reason)) = result { return reason }
        return nil
    }

    @Test func ownDirectoryIsTrusted() throws {
        try withBase { base in
            let socket = try directory(base + "/own")
            #expect(try verify(socket).get() == socket)
        }
    }

    @Test func anotherUsersDirectoryIsRefused() throws {
        try withBase { base in
            let socket = try directory(base + "/other", uid: Self.other)
            let why = try #require(reason(verify(socket)))
            #expect(why.contains("\(base)/other is owned by uid 65534"), "\(why)")
        }
    }

    @Test func callersOwnUIDIsTrusted() throws {
        try withBase { base in
            let socket = try directory(base + "/mine", uid: 1234, socketUID: 1234)
            #expect(try verify(socket, trust: SocketTrust(callerUID: 1234, daemonGroup: nil)).get() == socket)
            #expect(reason(verify(socket, trust: SocketTrust(callerUID: 999, daemonGroup: nil))) != nil)
        }
    }

    @Test(arguments: [0o777, 0o775, 0o757] as [mode_t])
    func directoryWritableByOthersIsRefused(_ mode: mode_t) throws {
        try withBase { base in
            let socket = try directory(base + "/open", mode: mode)
            let why = try #require(reason(verify(socket)))
            #expect(why.contains("writable by") && why.contains("not sticky"), "\(why)")
        }
    }

    @Test func stickyDirectoryNeedsATrustedSocketOwner() throws {
        try withBase { base in
            let squatted = try directory(base + "/sticky1", mode: 0o1777, socketUID: Self.other)
            let why = try #require(reason(verify(squatted)))
            #expect(why.contains("\(squatted) is owned by uid 65534"), "\(why)")
            let own = try directory(base + "/sticky2", mode: 0o1777)
            #expect(try verify(own).get() == own)
        }
    }

    @Test func untrustedAncestorsAreRefused() throws {
        try withBase { base in
            try FileManager.default.createDirectory(atPath: base + "/a", withIntermediateDirectories: false)
            let socket = try directory(base + "/a/inner")
            chown(base + "/a", Self.other, 0)
            #expect(reason(verify(socket))?.contains("\(base)/a is owned by uid 65534") == true)
            chown(base + "/a", 0, 0)
            chmod(base + "/a", 0o777)
            #expect(reason(verify(socket))?.contains("\(base)/a is writable by") == true)
            chmod(base + "/a", 0o1777)
            #expect(try verify(socket).get() == socket)
        }
    }

    @Test func rootMadeDirectoryOfTheDaemonsGroupIsTrusted() throws {
        try withBase { base in
            let trust = SocketTrust(callerUID: 1000, daemonGroup: Self.daemonGroup)
            // Like RuntimeDirectory= with Group=: the daemon's user owns it, root's /run holds it.
            let socket = try directory(base + "/run", uid: Self.other, gid: Self.daemonGroup, socketUID: Self.other)
            #expect(try verify(socket, trust: trust).get() == socket)
            // Without the group on the system, or another group, it is just another user's directory.
            #expect(reason(verify(socket, trust: SocketTrust(callerUID: 1000, daemonGroup: nil))) != nil)
            #expect(reason(verify(socket, trust: SocketTrust(callerUID: 1000, daemonGroup: 7))) != nil)
            // Members of the group must not be able to replace the socket.
            chmod(base + "/run", 0o775)
            #expect(reason(verify(socket, trust: trust))?.contains("writable by its group") == true)
            chmod(base + "/run", 0o755)
            // In a directory anyone may create entries in (here sticky like /tmp), anyone could have made it.
            chmod(base, 0o1777)
            #expect(reason(verify(socket, trust: trust))?.contains("anyone could have created it") == true)
        }
    }

    @Test func symbolicLinksAreResolvedAndTheTargetChecked() throws {
        try withBase { base in
            let own = try directory(base + "/own")
            try directory(base + "/other", uid: Self.other)
            try FileManager.default.createSymbolicLink(atPath: base + "/to-own", withDestinationPath: base + "/own")
            try FileManager.default.createSymbolicLink(atPath: base + "/to-other", withDestinationPath: base + "/other")
            #expect(try verify(base + "/to-own/s").get() == own)
            #expect(reason(verify(base + "/to-other/s"))?.contains("\(base)/other is owned by uid 65534") == true)
        }
    }

    @Test func missingPathIsUnresolvable() throws {
        try withBase { base in
            #expect(throws: SocketTrust.Failure.unresolvable(errno: ENOENT)) {
                try SocketTrust(callerUID: 0, daemonGroup: nil).verify(base + "/none/s")
            }
        }
    }
}
