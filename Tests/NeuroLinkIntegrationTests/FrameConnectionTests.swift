import Foundation
import NeuroLinkTestSupport
import Testing

/// The raw-frame test client itself, against a daemon that says nothing unless asked.
@Suite struct FrameConnectionTests {
    /// A read begun in a task that is already cancelled ends at once with `CancellationError`. It
    /// used to record its wait after the cancellation handler had run, and then waited for a frame
    /// that never came (here: until its timeout).
    @Test func aReadInACancelledTaskEndsAtOnce() async throws {
        try await DaemonProcess.with(config: loopConfig("http://127.0.0.1:9/v1")) { daemon in
            try await FrameConnection.with(path: daemon.socketPath) { connection in
                let started = ContinuousClock.now
                let outcome = await withTaskGroup(of: (any Error)?.self) { group in
                    group.cancelAll()
                    group.addTask {
                        do {
                            _ = try await connection.readMessage(timeout: .seconds(20))
                            return nil
                        } catch {
                            return error
                        }
                    }
                    return await group.next() ?? nil
                }
                #expect(outcome is CancellationError, "\(String(describing: outcome))")
                #expect(ContinuousClock.now - started < .seconds(10))
                // The connection is still usable.
                try await connection.send(#"{"jsonrpc":"2.0","id":1,"method":"health"}"#)
                let health = try await connection.readUntilResponse(id: 1).response
                #expect((health["result"] as? [String: Any])?["status"] as? String == "ok")
            }
        }
    }

    /// A read that timed out leaves the frame that arrives later to the next read.
    @Test func aFrameArrivingAfterATimeoutGoesToTheNextRead() async throws {
        try await DaemonProcess.with(config: loopConfig("http://127.0.0.1:9/v1")) { daemon in
            try await FrameConnection.with(path: daemon.socketPath) { connection in
                await #expect(throws: FrameConnectionError.self) {
                    _ = try await connection.readMessage(timeout: .milliseconds(50))
                }
                try await connection.send(#"{"jsonrpc":"2.0","id":2,"method":"health"}"#)
                let health = try #require(try await connection.readMessage())
                #expect(health["id"] as? Int == 2, "\(health)")
            }
        }
    }
}
