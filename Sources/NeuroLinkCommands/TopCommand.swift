import ArgumentParser
import Dispatch
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `nlctl top`: a full-screen view of the daemon's activity, refreshed every second. `q` quits; `e`,
/// `r`, `p`, `t` sort the running requests. When stdout is not a terminal it prints one snapshot.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch running requests, providers, the queue, breakers and alerts live (q quits)."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        do {
            try await NeuroLinkClient.withConnection(socketPath: connection.socket) { client in
                guard Terminal.stdoutIsTerminal, Terminal.stdinIsTerminal else {
                    try Terminal.standardOutput(TopView(snapshot: try await client.top()).render(interactive: false))
                    return
                }
                try await Self.live(client)
            }
        } catch let closed as OutputClosed {
            throw NLExit.report(closed)
        } catch {
            throw NLExit.report(error)
        }
    }

    private enum Event: Sendable {
        case tick
        case key(UInt8)
        case interrupt
    }

    /// Redraws every second and on each key until `q` or Ctrl-C; the terminal is restored however it ends.
    private static func live(_ client: NeuroLinkClient) async throws {
        let interrupts = Interrupts.stream()
        let terminal = RawTerminal()
        defer { terminal.restore() }
        var order = TopView.Order.elapsed
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(16))
            group.addTask {
                while (try? await Task.sleep(for: .seconds(1))) != nil { sink.yield(.tick) }
            }
            group.addTask {
                for await _ in interrupts { sink.yield(.interrupt) }
            }
            KeyReader.start { sink.yield(.key($0)) }
            defer { group.cancelAll() }
            try terminal.draw(TopView(snapshot: try await client.top(), order: order).render(interactive: true))
            for await event in events {
                switch event {
                case .interrupt, .key(UInt8(ascii: "q")), .key(UInt8(ascii: "Q")): return
                case .key(let byte):
                    guard let picked = TopView.Order(rawValue: Character(UnicodeScalar(byte))) else { continue }
                    order = picked
                case .tick: break
                }
                try terminal.draw(TopView(snapshot: try await client.top(), order: order).render(interactive: true))
            }
        }
    }
}

/// The terminal in the state `top` needs: keys arrive one by one without echo, on the alternate
/// screen with the cursor hidden. ``restore()`` puts everything back.
final class RawTerminal: Sendable {
    private let saved: termios?

    init() {
        var original = termios()
        if tcgetattr(STDIN_FILENO, &original) == 0 {
            var raw = original
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSANOW, &raw)
            saved = original
        } else {
            saved = nil
        }
        try? Terminal.standardOutput("\u{1B}[?1049h\u{1B}[?25l")
    }

    func draw(_ text: String) throws(OutputClosed) {
        try Terminal.standardOutput("\u{1B}[H\u{1B}[2J" + text)
    }

    func restore() {
        try? Terminal.standardOutput("\u{1B}[?25h\u{1B}[?1049l")
        if var saved { _ = tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
    }
}

/// Reads standard input byte by byte on a dispatch queue of its own (a blocking read must not hold
/// one of Swift's cooperative threads); nlctl exits when `top` ends, which ends the read.
enum KeyReader {
    static func start(_ key: @escaping @Sendable (UInt8) -> Void) {
        DispatchQueue(label: "nlctl-keys").async {
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) == 1 { key(byte) }
        }
    }
}
