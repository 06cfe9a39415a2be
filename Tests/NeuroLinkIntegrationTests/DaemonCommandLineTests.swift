import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// `neurolinkd`'s plain launch (`--config`, `--socket`, `--log-level`) runs without ArgumentParser;
/// every other form goes through it. Both read the same options the same way.
@Suite struct DaemonCommandLineTests {
    /// `--name=value` forms, and `--log-level` beating `NEUROLINK_LOG_LEVEL` (debug in tests): at
    /// warning, the notice that the daemon listens is not logged.
    @Test func aPlainLaunchHonoursItsOptions() async throws {
        let daemon = try await DaemonProcess(
            config: loopConfig("http://127.0.0.1:9/v1"),
            arguments: ["--log-level=warning"]
        )
        let health = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { try await $0.health() }
        await daemon.stop()
        #expect(health.status == "ok")
        #expect(!daemon.log.contains("listening"), "\(daemon.log)")
    }

    @Test func anUnknownLogLevelIsAUsageError() async throws {
        let run = try await runTool(
            DaemonProcess.binary("neurolinkd"),
            ["--config", "/nonexistent/neurolinkd.yaml", "--log-level", "loud"]
        )
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("--log-level must be one of"), "\(run.stderr)")
    }

    // None of these may start a daemon: each is an error ArgumentParser reports.
    @Test(arguments: [["--socket"], ["--config", "--socket", "/x"], ["--bogus"], ["extra"]])
    func otherFormsGetArgumentParsersErrors(_ arguments: [String]) async throws {
        let run = try await runTool(DaemonProcess.binary("neurolinkd"), arguments)
        #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("Usage: neurolinkd"), "\(run.stderr)")
    }

    @Test func versionGoesThroughArgumentParser() async throws {
        let run = try await runTool(DaemonProcess.binary("neurolinkd"), ["--version"])
        #expect(run.status == 0 && run.stdout == "0.1.0\n", "\(run.stdout)\(run.stderr)")
    }
}
