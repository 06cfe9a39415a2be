import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// nlctl reads standard input to its end even when it inherited the descriptor in non-blocking mode
/// (a parent's pipe set `O_NONBLOCK`, which the child shares): it waits for the input, not only for a
/// reader that has it already.
@Suite struct NLCtlStandardInputTests {
    @Test func aNonBlockingStandardInputIsWaitedFor() async throws {
        let input = Pipe()
        let output = Pipe()
        let reading = input.fileHandleForReading.fileDescriptor
        #expect(fcntl(reading, F_SETFL, fcntl(reading, F_GETFL) | O_NONBLOCK) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
        process.arguments = ["keys", "hash"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The key comes later than nlctl's first read; an nlctl that gave up at once has exited by then
        // (and writing to its closed pipe would kill the test runner with SIGPIPE).
        try await Task.sleep(for: .milliseconds(300))
        #expect(process.isRunning, "nlctl did not wait for its input")
        if process.isRunning { try input.fileHandleForWriting.write(contentsOf: Data("abc\n".utf8)) }
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(printed)")
        #expect(printed == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n")
    }
}
