import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon under systemd's protocols, without systemd as PID 1: a datagram socket owned by
/// the test as `NOTIFY_SOCKET`, `WATCHDOG_USEC`, the real `systemd-socket-activate`, `JOURNAL_STREAM`
/// and `CREDENTIALS_DIRECTORY`.
@Suite struct SystemdTests {
    static let idleConfig = loopConfig("http://127.0.0.1:9/v1")
    let clock = ContinuousClock()

    // MARK: sd_notify

    @Test func readyIsSentOnlyOnceTheSocketAcceptsWithMainPidAndStatus() async throws {
        try await withNotifiedDaemon { daemon, notify in
            let ready = try await notify.wait(for: "READY=1")
            #expect(ready.socketAccepted == true, "READY=1 arrived before the socket accepted connections")
            #expect(ready.value("MAINPID") == "\(daemon.process.processIdentifier)")
            let text = try #require(ready.value("STATUS"))
            #expect(text.hasPrefix("serving 1 provider (1 usable), 0 active streams"), "\(text)")
            #expect(notify.messages(with: "READY=1").count == 1)
            #expect(
                notify.messages.first?.has("READY=1") == true,
                "something was sent before READY=1: \(notify.messages.map(\.text))"
            )

            let systemd = try #require(try await status(daemon.socketPath).systemd)
            #expect(systemd.supervised && systemd.notify)
            #expect(!systemd.socketActivated && !systemd.journal)
            #expect(systemd.watchdogTimeoutMs == nil)
        }
    }

    @Test func reloadIsBracketedByReloadingAndReady() async throws {
        try await withNotifiedDaemon { daemon, notify in
            let ready = try await notify.wait(for: "READY=1")
            daemon.send(SIGHUP)
            let reloading = try await notify.wait(for: "RELOADING=1", after: ready.at)
            #expect(reloading.value("MONOTONIC_USEC").flatMap(UInt64.init) != nil, "\(reloading.text)")
            #expect(reloading.value("STATUS") == "reloading configuration")
            let readyAgain = try await notify.wait(for: "READY=1", after: reloading.at)
            #expect(readyAgain.value("STATUS")?.hasPrefix("serving 1 provider") == true, "\(readyAgain.text)")
            let reload = try #require(try await status(daemon.socketPath).lastReload)
            #expect(reload.ok)

            // A rejected configuration still ends the reload with READY=1: the old one keeps serving.
            try (Self.idleConfig + "\nbogus_key: 1").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            daemon.send(SIGHUP)
            let second = try await notify.wait(for: "RELOADING=1", after: readyAgain.at)
            _ = try await notify.wait(for: "READY=1", after: second.at)
            #expect(try await status(daemon.socketPath).lastReload?.ok == false)
        }
    }

    @Test func stoppingIsSentWhenDrainingBegins() async throws {
        try await withNotifiedDaemon { daemon, notify in
            let ready = try await notify.wait(for: "READY=1")
            daemon.send(SIGTERM)
            let stopping = try await notify.wait(for: "STOPPING=1", after: ready.at)
            #expect(stopping.value("STATUS")?.hasPrefix("draining") == true, "\(stopping.text)")
            let exitStatus = await daemon.waitForExit()
            #expect(exitStatus == 0, "log:\n\(daemon.log.suffix(3000))")
            #expect(notify.messages(with: "READY=1").allSatisfy { $0.at < stopping.at }, "READY=1 after STOPPING=1")
        }
    }

    // MARK: Plain runs

    @Test func withoutSystemdNothingChanges() async throws {
        try await DaemonProcess.with(config: Self.idleConfig) { daemon in
            let systemd = try #require(try await status(daemon.socketPath).systemd)
            #expect(
                systemd
                    == SystemdStatus(
                        supervised: false,
                        notify: false,
                        socketActivated: false,
                        watchdogTimeoutMs: nil,
                        journal: false,
                        invocationId: nil
                    )
            )
            #expect(!daemon.log.contains("watchdog"))
            #expect(!daemon.log.contains("<5>"))
            let shown = try await runTool(DaemonProcess.binary("nlctl"), ["--socket", daemon.socketPath, "status"])
                .stdout
            #expect(shown.contains("systemd:   no (started by hand)"), "\(shown)")
            #expect(shown.contains("reload:    none since start"), "\(shown)")
        }
    }

    // MARK: Journal

    /// Starts the daemon with standard error on a file, `JOURNAL_STREAM` naming that file or not,
    /// makes one request, and returns what was written to standard error and the `systemd` status.
    private func runWithJournalStream(matching: Bool) async throws -> (stderr: String, systemd: SystemdStatus?) {
        let directory = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socketPath = directory.appendingPathComponent("d.sock").path
        let configPath = directory.appendingPathComponent("neurolinkd.yaml").path
        let logPath = directory.appendingPathComponent("stderr.log").path
        try loopConfig("http://127.0.0.1:9/v1").write(toFile: configPath, atomically: true, encoding: .utf8)
        try #require(FileManager.default.createFile(atPath: logPath, contents: nil))
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        var info = stat()
        try #require(fstat(log.fileDescriptor, &info) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("neurolinkd"))
        process.arguments = ["--config", configPath, "--socket", socketPath]
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory.path, "NEUROLINK_LOG_LEVEL": "debug",
            "JOURNAL_STREAM": matching ? "\(info.st_dev):\(info.st_ino)" : "\(info.st_dev):\(info.st_ino + 1)",
        ]
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = clock.now + .seconds(10)
        while await !DaemonProcess.answers(socketPath), process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let systemd = try await status(socketPath).systemd
        // A request that fails (nothing listens on port 9): its log lines carry request metadata.
        return try await FrameConnection.with(path: socketPath) { connection in
            try await connection.send(#"{"jsonrpc":"2.0","id":7,"method":"generate","params":{"input":{"text":"x"}}}"#)
            _ = try await connection.readUntilResponse(id: 7)
            kill(process.processIdentifier, SIGTERM)
            while process.isRunning, clock.now < deadline + .seconds(5) { try await Task.sleep(for: .milliseconds(10)) }
            return ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "", systemd)
        }
    }

    @Test func logsNativelyToTheJournalWhenStandardErrorIsTheJournal() async throws {
        let journalSocket = "/run/systemd/journal/socket"
        let canStandIn = FileManager.default.isWritableFile(atPath: "/run")
        guard !FileManager.default.fileExists(atPath: journalSocket), canStandIn else {
            // A real journald (entries go there and cannot be captured), or no right to stand in for
            // one: the switch itself is still visible in status.
            let run = try await runWithJournalStream(matching: true)
            #expect(run.systemd?.journal == true)
            return
        }
        // No journald on this machine: play its part with a datagram socket at its well-known path
        // (libsystemd has it compiled in).
        let created = ["/run/systemd", "/run/systemd/journal"].filter { !FileManager.default.fileExists(atPath: $0) }
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        let journal = try NotifyListener(path: journalSocket)
        defer {
            unlink(journalSocket)
            for directory in created.reversed() { rmdir(directory) }
        }
        let run = try await runWithJournalStream(matching: true)
        await journal.stop()
        #expect(run.systemd?.journal == true)
        #expect(run.stderr.isEmpty, "log lines went to standard error instead of the journal:\n\(run.stderr)")

        let entries = journal.messages
        let listening = try #require(
            entries.first { $0.value("MESSAGE")?.hasPrefix("neurolinkd \(ProtocolInfo.release) listening") == true },
            "\(entries.map(\.text))"
        )
        #expect(listening.value("PRIORITY") == "5")
        #expect(listening.value("SYSLOG_IDENTIFIER") == "neurolinkd")
        #expect(listening.value("SOCKET_ACTIVATED") == "false")
        #expect(listening.value("CODE_FILE")?.contains("RPCServer.swift") == true)

        // The failed request: `journalctl REQUEST_ID=7 PROVIDER=loop` would find this entry.
        let failed = try #require(
            entries.first { $0.value("MESSAGE")?.hasPrefix("request failed") == true },
            "\(entries.map(\.text))"
        )
        #expect(failed.value("PRIORITY") == "6")
        #expect(failed.value("REQUEST_ID") == "7")
        #expect(failed.value("PROVIDER") == "loop")
        #expect(failed.value("MODEL") == "loop-model")
        #expect(failed.value("PEER_UID") == "\(getuid())")
        #expect(failed.value("ERROR_TYPE") != nil)
        #expect(entries.contains { $0.value("MESSAGE") == "neurolinkd stopped" && $0.value("PRIORITY") == "5" })
    }

    @Test func logsPlainTextWhenJournalStreamIsNotStandardError() async throws {
        // An inherited JOURNAL_STREAM that names another stream must not switch to the journal.
        let run = try await runWithJournalStream(matching: false)
        #expect(run.systemd?.journal == false)
        #expect(run.stderr.contains("listening") && run.stderr.contains("request failed"), "\(run.stderr)")
        #expect(!run.stderr.contains("<5>"))
    }

    // MARK: Credentials

    @Test func providerKeysComeFromTheCredentialsDirectory() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "m", .stream(OpenAIStream(pieces: ["ok"])))
            let credentials = try DaemonProcess.makeDirectory()
            defer { try? FileManager.default.removeItem(at: credentials) }
            let implicitKey = "sk-credential-implicit-1234567"
            let explicitKey = "sk-credential-explicit-7654321"
            try "\(implicitKey)\n".write(
                to: credentials.appendingPathComponent("loop.api_key"),
                atomically: true,
                encoding: .utf8
            )
            try explicitKey.write(
                to: credentials.appendingPathComponent("other-key"),
                atomically: true,
                encoding: .utf8
            )
            let config = loopConfig(
                upstream.baseURL,
                extra: """
                      - name: second
                        type: openai-compatible
                        base_url: \(upstream.baseURL)
                        api_key_credential: other-key
                        default_model: m
                    """
            )
            try await DaemonProcess.with(config: config, environment: ["CREDENTIALS_DIRECTORY": credentials.path]) {
                daemon in
                let providers = try await status(daemon.socketPath).providers
                #expect(providers.map(\.credentialSource) == ["credential:loop.api_key", "credential:other-key"])
                #expect(providers.allSatisfy { $0.hasCredentials })

                for (id, provider) in [(1, "loop"), (2, "second")] {
                    try await FrameConnection.with(path: daemon.socketPath) { connection in
                        try await connection.send(
                            #"{"jsonrpc":"2.0","id":\#(id),"method":"generate","params":{"input":{"text":"x"},"model":"m","provider":"\#(provider)"}}"#
                        )
                        let response = try await connection.readUntilResponse(id: id).response
                        #expect(response["result"] != nil, "\(response)")
                    }
                }
                let authorizations = upstream.requests().compactMap { $0.header("Authorization") }
                #expect(authorizations == ["Bearer \(implicitKey)", "Bearer \(explicitKey)"])
                let json = try await nlctlStatusJSON(daemon.socketPath)
                #expect(!json.contains(implicitKey) && !json.contains(explicitKey))
            }
        }
    }

    private func nlctlStatusJSON(_ socketPath: String) async throws -> String {
        try await runTool(DaemonProcess.binary("nlctl"), ["--socket", socketPath, "status", "--json"]).stdout
    }

    @Test func refusesAConfigWithAnInlineKeyThatOthersCanRead() async throws {
        let directory = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inline.yaml").path
        let key = "sk-inline-secret-0123456789"
        try loopConfig("http://127.0.0.1:9/v1", extra: "    api_key: \(key)").write(
            toFile: path,
            atomically: true,
            encoding: .utf8
        )
        let neurolinkd = DaemonProcess.binary("neurolinkd")

        func check(mode: mode_t, group: gid_t = 0) async throws -> CommandResult {
            try #require(chown(path, 0, group) == 0 && chmod(path, mode) == 0)
            return try await runTool(neurolinkd, ["--check-config", "--config", path])
        }
        let worldReadable = try await check(mode: 0o644)
        #expect(worldReadable.status == 78, "\(worldReadable.stdout)\(worldReadable.stderr)")
        #expect(worldReadable.stderr.contains("readable by every user (mode 0644)"), "\(worldReadable.stderr)")
        #expect(worldReadable.stderr.contains("chmod 600"), "\(worldReadable.stderr)")
        #expect(!worldReadable.stderr.contains(key))

        let foreignGroup = try await check(mode: 0o640, group: 4242)
        #expect(foreignGroup.status == 78, "\(foreignGroup.stderr)")
        #expect(foreignGroup.stderr.contains("readable by group 4242"), "\(foreignGroup.stderr)")

        #expect(try await check(mode: 0o640).status == 0)
        #expect(try await check(mode: 0o600).status == 0)

        // The daemon itself refuses to start on such a file, not only --check-config.
        _ = try await check(mode: 0o604)
        let started = try await runTool(
            neurolinkd,
            ["--config", path, "--socket", directory.appendingPathComponent("d.sock").path]
        )
        #expect(started.status == 78, "\(started.stderr)")
        #expect(started.stderr.contains("holds an inline API key"), "\(started.stderr)")
    }
}

/// What inherently needs a quiet machine, in the serial group (`SerialTests`) that scripts/test.sh
/// runs alone: keep-alive cadence and silence measured in wall-clock time, and socket activation,
/// whose launcher makes Foundation wait for it in a blocking `waitpid()` that hides every other
/// child's exit from the test process while it runs.
@Suite(.serialized) struct SystemdSerialTests {
    let clock = ContinuousClock()

    // MARK: Watchdog

    @Test func watchdogKeepAlivesComeAtHalfTheInterval() async throws {
        try await withNotifiedDaemon(environment: ["WATCHDOG_USEC": "400000"]) { daemon, notify in
            let ready = try await notify.wait(for: "READY=1")
            // The window is measured with the listener thread's timestamps, not this task's sleep,
            // which may overrun while other suites keep the cooperative threads busy.
            let windowEnd = ready.at + .seconds(2)
            while clock.now < windowEnd + .milliseconds(100) { try await Task.sleep(for: .milliseconds(100)) }
            let pings = notify.messages(with: "WATCHDOG=1").filter { $0.at > ready.at && $0.at <= windowEnd }
            // 2 s at one keep-alive per 200 ms: about 10.
            #expect((7...12).contains(pings.count), "\(pings.count) keep-alives in 2 s")
            let gaps = zip(pings.dropFirst(), pings).map { ($0.at - $1.at) }.sorted()
            let median = try #require(gaps.isEmpty ? nil : gaps[gaps.count / 2])
            #expect(median >= .milliseconds(150) && median <= .milliseconds(300), "median gap \(median), gaps \(gaps)")
            #expect(try await status(daemon.socketPath).systemd?.watchdogTimeoutMs == 400)
            #expect(daemon.log.contains("watchdog enabled"))
            let shown = try await runTool(DaemonProcess.binary("nlctl"), ["--socket", daemon.socketPath, "status"])
                .stdout
            #expect(
                shown.contains("systemd:   yes, not socket-activated, watchdog 400ms (keep-alive every 200ms)"),
                "\(shown)"
            )
        }
    }

    @Test func aWedgedEventLoopStopsTheKeepAlives() async throws {
        let environment = ["WATCHDOG_USEC": "400000", "NEUROLINK_TEST_HOOKS": "1", "NEUROLINK_TEST_BLOCK_MS": "2000"]
        try await withNotifiedDaemon(environment: environment) { daemon, notify in
            let ready = try await notify.wait(for: "READY=1")
            try await Task.sleep(for: .milliseconds(600))
            #expect(notify.messages(with: "WATCHDOG=1").count >= 2, "no keep-alives before the wedge")

            // Under load the hook may be set up after READY=1; a SIGUSR2 before that would kill the daemon.
            let hookDeadline = clock.now + .seconds(10)
            while !daemon.log.contains("test hooks enabled"), clock.now < hookDeadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let beforeWedge = clock.now
            daemon.send(SIGUSR2)  // Blocks every NIO event loop for 2 s.
            // Judged from the keep-alives' own timestamps: the wedge shows as one long silence
            // (2 s minus the last probe's 200 ms of freshness), with regular keep-alives on both sides.
            var pings: [ContinuousClock.Instant] = []
            var longest: Duration = .zero
            var resumed = 0
            let deadline = beforeWedge + .seconds(15)
            repeat {
                try await Task.sleep(for: .milliseconds(100))
                // From a little before the signal: the silence begins with the last keep-alive before it.
                pings = notify.messages(with: "WATCHDOG=1").map(\.at).filter { $0 > beforeWedge - .seconds(1) }
                let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
                longest = gaps.max() ?? .zero
                resumed = gaps.firstIndex(of: longest).map { pings.count - $0 - 1 } ?? 0
            } while (longest < .milliseconds(1500) || resumed < 2) && clock.now < deadline
            #expect(
                longest >= .milliseconds(1500),
                "no silence while the event loops were blocked; longest gap \(longest); pings at \(pings.map { $0 - beforeWedge }); log:\n\(daemon.log.suffix(3000))"
            )
            #expect(longest <= .milliseconds(3500), "silence longer than the wedge: \(longest)")
            #expect(resumed >= 2, "keep-alives did not resume after the event loops recovered")
            #expect(daemon.log.contains("withholding keep-alives"), "\(daemon.log.suffix(2000))")
            #expect(ready.socketAccepted == true)
        }
    }

    // MARK: Socket activation

    @Test func socketActivationServesAClientThatConnectedBeforeTheDaemonStarted() async throws {
        let activate = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: activate), "install Debian's systemd package")
        let directory = try DaemonProcess.makeDirectory()
        let socketPath = directory.appendingPathComponent("d.sock").path
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify.sock").path)
        // Caveat: systemd-socket-activate closes every inherited descriptor before it execs the daemon,
        // including the one Foundation's Process watches to notice that its child ended. Foundation
        // then waits for this process in a blocking waitpid(), and no other Process of the test
        // runner is seen to terminate until the daemon exits. So: no runTool() while it runs, and
        // stop it promptly.
        let daemon = try await DaemonProcess(
            config: SystemdTests.idleConfig,
            environment: ["NOTIFY_SOCKET": notify.path],
            directory: directory,
            waitForSocket: false,
            launcher: [activate, "-l", socketPath, "-E", "NEUROLINK_LOG_LEVEL", "-E", "NOTIFY_SOCKET"]
        )
        do {
            // systemd-socket-activate binds and listens, then waits for a connection before it
            // execs the daemon.
            let deadline = clock.now + .seconds(10)
            while !FileManager.default.fileExists(atPath: socketPath), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(100))
            let exe = try FileManager.default.destinationOfSymbolicLink(
                atPath: "/proc/\(daemon.process.processIdentifier)/exe"
            )
            #expect(exe.hasSuffix("systemd-socket-activate"), "the daemon already runs: \(exe)")
            #expect(notify.messages.isEmpty)
            // The first connection makes systemd-socket-activate exec the daemon, which then accepts it.
            try await FrameConnection.with(path: socketPath) { client in
                try await client.send(#"{"jsonrpc":"2.0","id":1,"method":"status"}"#)
                let response = try await client.readUntilResponse(id: 1).response
                let result = try #require(response["result"] as? [String: Any], "\(response)")
                let systemd = try #require(result["systemd"] as? [String: Any], "\(result)")
                #expect(systemd["socketActivated"] as? Bool == true)
                #expect(systemd["supervised"] as? Bool == true)
                #expect(result["socketPath"] as? String == socketPath)
                #expect(result["pid"] as? Int == Int(daemon.process.processIdentifier))

                let ready = try await notify.wait(for: "READY=1")
                #expect(ready.value("MAINPID") == "\(daemon.process.processIdentifier)")
                // More clients are served on the adopted socket.
                try await FrameConnection.with(path: socketPath) { second in
                    try await second.send(#"{"jsonrpc":"2.0","id":2,"method":"health"}"#)
                    #expect(
                        (try await second.readUntilResponse(id: 2).response["result"] as? [String: Any])?["status"]
                            as? String == "ok"
                    )

                    daemon.send(SIGTERM)
                    #expect(await daemon.waitForExit() == 0)
                    var info = stat()
                    #expect(lstat(socketPath, &info) == 0, "the daemon removed the socket systemd owns")
                    #expect(daemon.log.contains("listening"))
                }
            }
            await daemon.stop()
            await notify.stop()
        } catch {
            Issue.record("log:\n\(daemon.log.suffix(4000))")
            await daemon.stop()
            await notify.stop()
            throw error
        }
    }
}

// MARK: - Helpers

/// Runs `body` with a daemon whose `NOTIFY_SOCKET` is a listener owned by the test.
private func withNotifiedDaemon<T>(
    config: String = SystemdTests.idleConfig,
    environment: [String: String] = [:],
    _ body: (DaemonProcess, NotifyListener) async throws -> T
) async throws -> T {
    let directory = try DaemonProcess.makeDirectory()
    let notify = try NotifyListener(
        path: directory.appendingPathComponent("notify.sock").path,
        probeSocketPath: directory.appendingPathComponent("d.sock").path
    )
    var env = environment
    env["NOTIFY_SOCKET"] = notify.path
    let daemon = try await DaemonProcess(
        config: config,
        environment: env,
        directory: directory,
        waitForSocket: false
    )
    do {
        let result = try await body(daemon, notify)
        await daemon.stop()
        await notify.stop()
        return result
    } catch {
        Issue.record("daemon log:\n\(daemon.log.suffix(4000))\nnotifications: \(notify.messages.map(\.text))")
        await daemon.stop()
        await notify.stop()
        throw error
    }
}

private func status(_ socketPath: String) async throws -> StatusResult {
    try await NeuroLinkClient.withConnection(socketPath: socketPath) { try await $0.status() }
}
