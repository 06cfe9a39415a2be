import Foundation
import Logging
import NeuroLinkBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies a child's stderr to the log, line by line, on a thread of its own (the reads block).
enum StderrForwarder {
    /// Longer lines are cut: a child must not be able to flood one log record.
    static let maximumLineBytes = 1024

    /// Starts forwarding `descriptor`, which the forwarder owns and closes at end of file.
    static func start(descriptor: Int32, logger: Logger) {
        Thread.detachNewThread {
            nameCurrentThread("mcp-stderr")
            forward(descriptor: descriptor, logger: logger)
            close(descriptor)
        }
    }

    private static func forward(descriptor: Int32, logger: Logger) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[..<count])
            emitLines(&pending, logger: logger)
        }
        if !pending.isEmpty { emit(pending[...], logger: logger) }
    }

    private static func emitLines(_ pending: inout [UInt8], logger: Logger) {
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            emit(pending[..<newline], logger: logger)
            pending.removeSubrange(...newline)
        }
        if pending.count > maximumLineBytes {
            emit(pending[...], logger: logger)
            pending.removeAll(keepingCapacity: true)
        }
    }

    private static func emit(_ line: ArraySlice<UInt8>, logger: Logger) {
        var text = String(decoding: line.prefix(maximumLineBytes), as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        if line.count > maximumLineBytes { text += "…" }
        guard !text.isEmpty else { return }
        logger.info("stderr: \(text)")
    }
}
