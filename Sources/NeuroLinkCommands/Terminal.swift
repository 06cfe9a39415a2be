import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Small helpers for writing to the terminal without buffering surprises.
enum Terminal {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func readStandardInput() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// Delivers SIGINT as an async event instead of killing the process.
enum Interrupts {
    /// Keeps the signal source alive for the life of the process (nlctl is short-lived).
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Call once, from the main flow, before any task awaits the stream.
    static func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        sources.append(source)
        return stream
    }
}
