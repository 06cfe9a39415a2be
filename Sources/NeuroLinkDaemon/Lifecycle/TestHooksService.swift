import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Fault injection for the integration tests; exists only when the daemon is started with
/// `NEUROLINK_TEST_HOOKS=1` (docs/configuration.md, "Test hooks"), never in normal operation.
///
/// SIGUSR2 blocks every NIO event loop for `NEUROLINK_TEST_BLOCK_MS` milliseconds (default 2000),
/// simulating a wedged daemon so the tests can watch the watchdog keep-alives stop.
struct TestHooksService: Service, CustomStringConvertible {
    var description: String { "TestHooks" }
    let eventLoops: any EventLoopGroup
    let blockMilliseconds: Int
    let logger: Logger

    /// The hooks, when `environment` enables them.
    static func fromEnvironment(
        _ environment: [String: String],
        eventLoops: any EventLoopGroup,
        logger: Logger
    ) -> TestHooksService? {
        guard environment["NEUROLINK_TEST_HOOKS"] == "1" else { return nil }
        let milliseconds =
            environment["NEUROLINK_TEST_BLOCK_MS"].flatMap { Int($0) }.map { max(0, min($0, 600_000)) } ?? 2000
        return TestHooksService(eventLoops: eventLoops, blockMilliseconds: milliseconds, logger: logger)
    }

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sigusr2)
        // Logged once SIGUSR2 is trapped: tests wait for this line before they send the signal.
        logger.warning("test hooks enabled (NEUROLINK_TEST_HOOKS=1): SIGUSR2 blocks the event loops")
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.warning("test hook: blocking every event loop", metadata: ["block_ms": "\(blockMilliseconds)"])
            let seconds = Double(blockMilliseconds) / 1000
            for loop in eventLoops.makeIterator() {
                loop.execute { Thread.sleep(forTimeInterval: seconds) }
            }
        }
    }
}
