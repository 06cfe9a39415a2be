import CCurl
import Foundation
import Synchronization

/// The floor under the daemon's CPU per chunk when every provider event arrives in a read of its own:
/// the least a relay can spend per event on this machine. A child process (this binary, run as
/// `neurolink-bench relay-floor`) opens the level's streams straight to the upstream and waits on
/// epoll, reads each event and writes it to a local socket that another thread drains (standing for
/// the client): no HTTP or JSON parsing, no allocation per event. With one thread, that is one
/// wake-up, one read and one write per event. With two, the reading thread hands each event's bytes
/// to a writing thread through an eventfd, as the daemon's curl thread hands chunks to the client's
/// event loop. Their CPU per event, beside the daemon's in the same run, separates what the kernel and
/// this (virtual) machine charge for waking threads from what the daemon adds.
enum RelayFloor {
    static let command = "relay-floor"

    /// Runs the floor relay for `level` on `threads` threads (1 or 2) in a child process and returns it as a
    /// run of its own.
    static func run(port: Int, level: Throughput.Level, threads: Int) throws -> Throughput.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [command, String(port), level.model, String(level.streams), String(threads)]
        let output = Pipe()
        process.standardOutput = output
        let start = ContinuousClock.now
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        let fields = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard process.terminationStatus == 0, fields.count == 2 else {
            throw BenchError.failed("relay floor: exit \(process.terminationStatus), output \(text.debugDescription)")
        }
        let perStream = fields[0] / max(level.streams, 1) - Model.directOverheadEvents
        let chunks = perStream * level.streams
        let complete = fields[0] == (level.pieces + Model.directOverheadEvents) * level.streams
        return Throughput.Run(
            level: level,
            mode: threads == 1 ? .floor : .floorHandOff,
            chunks: chunks,
            elapsed: elapsed,
            bad: complete ? 0 : level.streams,
            daemonCPUMs: Double(fields[1]) / 1000
        )
    }

    /// The child's body: prints "events cpu-microseconds" and returns the exit status.
    static func childMain(_ arguments: [String]) -> Int32 {
        guard arguments.count == 4, let port = UInt16(arguments[0]), let streams = Int(arguments[2]), streams > 0,
            let threads = Int(arguments[3]), threads == 1 || threads == 2
        else { return 64 }
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return 71 }
        let drain = Thread { [reader = pair[1]] in
            var sink = [UInt8](repeating: 0, count: 65_536)
            while read(reader, &sink, sink.count) > 0 {}
        }
        drain.start()
        let poll = nl_epoll_create()
        let request = Array(requestText(port: port, model: arguments[1]).utf8)
        for _ in 0..<streams {
            guard let socket = connectedSocket(port: port, sending: request) else { return 71 }
            guard nl_epoll_watch_readable(poll, socket) == 0 else { return 71 }
        }
        let output: any FloorOutput = threads == 1 ? DirectOutput(socket: pair[0]) : HandOff(socket: pair[0])
        let before = cpuMicroseconds()
        let events = relay(poll: poll, streams: streams, to: output)
        let used = cpuMicroseconds() - before + output.finish()
        close(pair[0])
        print("\(events) \(used)")
        return 0
    }

    /// The loop under measurement: one read per ready socket, its bytes written on at once.
    private static func relay(poll: Int32, streams: Int, to output: any FloorOutput) -> Int {
        var open = streams
        var events = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // The epoll wait the daemon's curl thread uses (CCurl's shim: struct epoll_event is packed).
        var ready = [Int32](repeating: 0, count: Int(NL_EPOLL_BATCH))
        var flags = [Int32](repeating: 0, count: Int(NL_EPOLL_BATCH))
        // An event ends with a blank line; the byte before a read's first one may be the first "\n". Indexed by
        // descriptor (small numbers), so the loop does no hashing.
        var lastByte = [UInt8](repeating: 0, count: 1024)
        while open > 0 {
            let count = nl_epoll_wait(poll, &ready, &flags, -1)
            for index in 0..<max(0, Int(count)) {
                let socket = ready[index]
                let got = read(socket, &buffer, buffer.count)
                guard got > 0 else {
                    if got < 0, errno == EAGAIN || errno == EINTR { continue }
                    close(socket)  // which also takes it out of the epoll set
                    open -= 1
                    continue
                }
                if Int(socket) >= lastByte.count { lastByte += [UInt8](repeating: 0, count: Int(socket) + 1) }
                var previous = lastByte[Int(socket)]
                for byte in buffer[0..<got] {
                    if byte == 0x0A, previous == 0x0A { events += 1 }
                    previous = byte
                }
                lastByte[Int(socket)] = previous
                buffer.withUnsafeBytes { output.send(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
            }
        }
        return events
    }

    private static func requestText(port: UInt16, model: String) -> String {
        let body = Model.directBody(model: model)
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            + "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    private static func connectedSocket(port: UInt16, sending request: [UInt8]) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0, request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == request.count
        else { return nil }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        return socket
    }

    /// The calling thread's CPU (not the drain's, which stands for the client).
    static func cpuMicroseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000 + time.tv_nsec / 1000
    }
}

/// Where the floor's reading thread puts each event's bytes.
private protocol FloorOutput {
    func send(_ bytes: UnsafeRawBufferPointer)
    /// Ends the output; returns the CPU microseconds it spent on threads of its own.
    func finish() -> Int
}

/// Written on the reading thread itself.
private struct DirectOutput: FloorOutput {
    let socket: Int32
    func send(_ bytes: UnsafeRawBufferPointer) { _ = write(socket, bytes.baseAddress, bytes.count) }
    func finish() -> Int { 0 }
}

/// Handed to a writing thread that sleeps on epoll until an eventfd wakes it, as an event loop does.
private final class HandOff: FloorOutput, Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        var sleeping = false
        var done = false
    }

    private let socket: Int32
    private let wake = nl_eventfd()
    private let pending = Mutex(Pending())
    private let writerCPU = Mutex<Int?>(nil)

    init(socket: Int32) {
        self.socket = socket
        Thread { [self] in
            let start = RelayFloor.cpuMicroseconds()
            writeUntilDone()
            writerCPU.withLock { $0 = RelayFloor.cpuMicroseconds() - start }
        }.start()
    }

    func send(_ bytes: UnsafeRawBufferPointer) {
        let signal = pending.withLock { pending -> Bool in
            pending.bytes.append(contentsOf: bytes)
            defer { pending.sleeping = false }
            return pending.sleeping
        }
        if signal { signalWriter() }
    }

    func finish() -> Int {
        let signal = pending.withLock { pending -> Bool in
            pending.done = true
            defer { pending.sleeping = false }
            return pending.sleeping
        }
        if signal { signalWriter() }
        while true {
            if let cpu = writerCPU.withLock({ $0 }) { return cpu }
            usleep(1000)
        }
    }

    private func signalWriter() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    private func writeUntilDone() {
        let poll = nl_epoll_create()
        _ = nl_epoll_watch_readable(poll, wake)
        var ready: [Int32] = [0]
        var flags: [Int32] = [0]
        var taken: [UInt8] = []
        while true {
            let done = pending.withLock { pending -> Bool in
                swap(&taken, &pending.bytes)
                pending.sleeping = taken.isEmpty && !pending.done
                return taken.isEmpty && pending.done
            }
            if done { break }
            if taken.isEmpty {
                _ = nl_epoll_wait(poll, &ready, &flags, -1)
                var counter: UInt64 = 0
                _ = read(wake, &counter, 8)
                continue
            }
            _ = taken.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            taken.removeAll(keepingCapacity: true)
        }
        close(poll)
    }
}
