import Foundation
import NeuroLinkTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test server in HTTP mode, run by the tests themselves so that they can kill it.
final class HTTPServerProcess {
    let port: Int
    private var process: Process?

    init(port: Int) {
        self.port = port
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestServer.path)
        process.arguments = ["http", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// Kills the server with `SIGKILL`, as a crash would, and reaps it.
    func kill() {
        guard let process else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }
}
