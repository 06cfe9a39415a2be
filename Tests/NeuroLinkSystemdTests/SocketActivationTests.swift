import Foundation
import NeuroLinkSystemd
import Testing

@Suite struct SocketActivationTests {
    /// A Unix stream socket bound to a fresh path, listening or not.
    private func unixSocket(listening: Bool) throws -> (fd: Int32, path: String) {
        let path = "/tmp/nls-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        if listening { try #require(listen(fd, 4) == 0) }
        return (fd, path)
    }

    @Test func recognisesAListeningUnixStreamSocketAndItsPath() throws {
        let (fd, path) = try unixSocket(listening: true)
        defer {
            close(fd)
            unlink(path)
        }
        #expect(SocketActivation.isListeningUnixStream(fd))
        #expect(SocketActivation.boundPath(of: fd) == path)
    }

    @Test func rejectsSocketsThatCannotServe() throws {
        let (fd, path) = try unixSocket(listening: false)
        defer {
            close(fd)
            unlink(path)
        }
        #expect(!SocketActivation.isListeningUnixStream(fd))
        let datagram = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(datagram) }
        #expect(!SocketActivation.isListeningUnixStream(datagram))
        #expect(SocketActivation.boundPath(of: datagram) == nil)
    }

    @Test func notActivatedWithoutListenFds() throws {
        // The test runner is not started with LISTEN_FDS.
        #expect(SocketActivation.passedDescriptors().isEmpty)
        #expect(try SocketActivation.unixStreamListener() == nil)
    }
}
