import Foundation
import Testing

/// The files in `systemd/` and the Makefile that installs them, checked with systemd's own tools.
@Suite struct SystemdUnitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let unitDirectory = repository.appendingPathComponent("systemd")
    static let analyze = "/usr/bin/systemd-analyze"

    /// The service unit's hardening. Each one closes a door the exposure score counts (or that
    /// DynamicUser= would otherwise close implicitly); removing any of them must fail this test.
    static let requiredDirectives = [
        "DynamicUser=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=", "AmbientCapabilities=",
        "ProtectSystem=strict",
        "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "DevicePolicy=closed", "PrivateIPC=yes",
        "PrivateMounts=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes", "ProtectClock=yes", "ProtectHostname=yes", "ProtectProc=invisible",
        "ProcSubset=pid",
        "KeyringMode=private", "RemoveIPC=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "RestrictNamespaces=yes",
        "RestrictRealtime=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes", "MemoryDenyWriteExecute=yes",
        "SystemCallArchitectures=native", "SystemCallFilter=@system-service",
        "SystemCallFilter=~@privileged @resources",
        "UMask=0077",
        // Not scored, but vital: without it the filter kills the daemon when libdispatch calls setpriority().
        "SystemCallErrorNumber=EPERM",
    ]

    /// Lifecycle settings the daemon's behaviour relies on.
    static let requiredServiceSettings = [
        "Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=30s",
        "Restart=on-failure",
        "TimeoutStopSec=30s", "KillMode=mixed", "Requires=neurolinkd.socket", "StateDirectory=neurolink",
        "ConfigurationDirectory=neurolink",
    ]

    static func unitText(_ name: String) throws -> String {
        try String(contentsOf: unitDirectory.appendingPathComponent(name), encoding: .utf8)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") }
    }

    /// Copies of the units into a fresh directory, the service running the freshly built daemon
    /// (`verify` checks that ExecStart= is executable), `transform` applied to the service's lines.
    static func stage(_ transform: ([String]) -> [String] = { $0 }) throws -> URL {
        let directory = try DaemonProcess.makeDirectory()
        let service = try unitText("neurolinkd.service")
            .replacingOccurrences(of: "/usr/bin/neurolinkd", with: DaemonProcess.binary("neurolinkd"))
        let lines = transform(service.components(separatedBy: "\n"))
        try lines.joined(separator: "\n").write(
            to: directory.appendingPathComponent("neurolinkd.service"),
            atomically: true,
            encoding: .utf8
        )
        for socket in ["neurolinkd.socket", "neurolinkd-http.socket"] {
            try unitText(socket).write(to: directory.appendingPathComponent(socket), atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// The exposure `systemd-analyze security --offline=yes` computes, and whether `--threshold=20` passed.
    static func security(_ directory: URL) async throws -> (exposure: Double, passed: Bool, output: String) {
        let unit = directory.appendingPathComponent("neurolinkd.service").path
        let run = try await runTool(analyze, ["security", "--offline=yes", "--threshold=20", "--no-pager", unit])
        let line = run.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") } ?? ""
        // "→ Overall exposure level for neurolinkd.service: 1.2 OK 🙂" (":-)" without UTF-8).
        let number = line.components(separatedBy: ".service: ").dropFirst().first?.split(separator: " ").first.flatMap {
            Double($0)
        }
        let exposure = try #require(number, "no exposure in output:\n\(run.stdout)\n\(run.stderr)")
        return (exposure, run.status == 0, run.stdout + run.stderr)
    }

    @Test func unitsPassSystemdAnalyzeVerifySilently() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze), "install Debian's systemd package")
        let directory = try Self.stage()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await runTool(
            Self.analyze,
            [
                "verify", "--man=no", directory.appendingPathComponent("neurolinkd.service").path,
                directory.appendingPathComponent("neurolinkd.socket").path,
                directory.appendingPathComponent("neurolinkd-http.socket").path,
            ]
        )
        // verify exits 0 even for unknown keys: any output at all is a failure.
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty && run.stderr.isEmpty, "stdout:\n\(run.stdout)\nstderr:\n\(run.stderr)")
    }

    @Test func verifyWouldCatchAMistake() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze))
        let directory = try Self.stage { $0 + ["ProtectSytem=strict"] }
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await runTool(
            Self.analyze,
            ["verify", "--man=no", directory.appendingPathComponent("neurolinkd.service").path]
        )
        #expect((run.stdout + run.stderr).contains("ProtectSytem"), "the silent-verify check would not notice a typo")
    }

    @Test func securityExposureIsAtMostTwo() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze))
        let directory = try Self.stage()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await Self.security(directory)
        #expect(result.passed, "\(result.output)")
        #expect(result.exposure <= 2.0, "\(result.output)")
    }

    @Test func everyHardeningDirectiveIsPresent() throws {
        let lines = Set(Self.lines(try Self.unitText("neurolinkd.service")))
        for directive in Self.requiredDirectives + Self.requiredServiceSettings {
            #expect(lines.contains(directive), "neurolinkd.service lacks \(directive)")
        }
        // Outbound network access stays: the gateway calls cloud APIs.
        #expect(!lines.contains { $0.hasPrefix("PrivateNetwork=yes") || $0.hasPrefix("IPAddressDeny=") })
    }

    @Test(arguments: [
        "CapabilityBoundingSet=", "SystemCallFilter=", "RestrictNamespaces=", "RestrictAddressFamilies=",
        "DynamicUser=", "ProtectKernelTunables=", "PrivateDevices=",
    ])
    func removingAHardeningDirectiveRaisesTheExposure(_ prefix: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze))
        let baseline = try Self.stage()
        let weakened = try Self.stage { $0.filter { !$0.hasPrefix(prefix) } }
        defer {
            try? FileManager.default.removeItem(at: baseline)
            try? FileManager.default.removeItem(at: weakened)
        }
        let before = try await Self.security(baseline)
        let after = try await Self.security(weakened)
        #expect(after.exposure > before.exposure, "without \(prefix): \(after.exposure), with: \(before.exposure)")
    }

    @Test func withoutTheHardeningTheThresholdFails() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze))
        let hardening = Set(Self.requiredDirectives.map { String($0.prefix { $0 != "=" }) + "=" })
        let bare = try Self.stage { lines in lines.filter { line in !hardening.contains { line.hasPrefix($0) } } }
        defer { try? FileManager.default.removeItem(at: bare) }
        let result = try await Self.security(bare)
        #expect(!result.passed, "--threshold=20 passed an unhardened unit: \(result.output)")
        #expect(result.exposure > 2.0)
    }

    @Test func httpSocketUnitActivatesTheDaemonOnLoopback() throws {
        let socket = Set(Self.lines(try Self.unitText("neurolinkd-http.socket")))
        for setting in ["ListenStream=127.0.0.1:8088", "Service=neurolinkd.service", "WantedBy=sockets.target"] {
            #expect(socket.contains(setting), "neurolinkd-http.socket lacks \(setting)")
        }
    }

    @Test func socketUnitMatchesTheGroupAndPath() throws {
        let socket = Set(Self.lines(try Self.unitText("neurolinkd.socket")))
        for setting in [
            "ListenStream=/run/neurolink/neurolinkd.sock", "SocketMode=0660", "SocketGroup=neurolink",
            "WantedBy=sockets.target",
        ] {
            #expect(socket.contains(setting), "neurolinkd.socket lacks \(setting)")
        }
        let sysusers = Self.lines(try Self.unitText("sysusers.d/neurolink.conf"))
        #expect(sysusers.contains { $0.split(separator: " ").prefix(2) == ["g", "neurolink"] }, "\(sysusers)")
        // RuntimeDirectory=neurolink would chown the socket to the dynamic user (see the unit's comment).
        #expect(
            !Self.lines(try Self.unitText("neurolinkd.service")).contains { $0.hasPrefix("RuntimeDirectory=neurolink") }
        )
    }

    @Test func sysusersAndTmpfilesSnippetsApply() async throws {
        let root = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc"),
            withIntermediateDirectories: true
        )
        let sysusers = try await runTool(
            "/usr/bin/systemd-sysusers",
            ["--root=\(root.path)", Self.unitDirectory.appendingPathComponent("sysusers.d/neurolink.conf").path]
        )
        #expect(sysusers.status == 0, "\(sysusers.stderr)")
        let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("neurolink:") }, "\(group)")

        let tmpfiles = try await runTool(
            "/usr/bin/systemd-tmpfiles",
            [
                "--root=\(root.path)", "--create",
                Self.unitDirectory.appendingPathComponent("tmpfiles.d/neurolink.conf").path,
            ]
        )
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        let attributes = try FileManager.default.attributesOfItem(
            atPath: root.appendingPathComponent("run/neurolink").path
        )
        #expect(attributes[.posixPermissions] as? Int == 0o755)
    }

    @Test func onlyTheDaemonLinksLibsystemd() async throws {
        let daemon = try await runTool("/usr/bin/ldd", [DaemonProcess.binary("neurolinkd")])
        #expect(daemon.stdout.contains("libsystemd.so"), "\(daemon.stdout)")
        let nlctl = try await runTool("/usr/bin/ldd", [DaemonProcess.binary("nlctl")])
        #expect(nlctl.status == 0 && !nlctl.stdout.isEmpty, "\(nlctl.stderr)")
        #expect(!nlctl.stdout.contains("libsystemd"), "nlctl links libsystemd:\n\(nlctl.stdout)")
    }

    // MARK: make install / uninstall

    private func make(_ arguments: [String]) async throws -> CommandResult {
        try await runTool("/usr/bin/make", ["--no-print-directory", "-C", Self.repository.path] + arguments)
    }

    @Test(arguments: ["/usr", "/usr/local"])
    func makeInstallPutsFilesInTheirPlacesAndUninstallRemovesThem(_ prefix: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "install make")
        let destdir = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: destdir) }
        let common = ["DESTDIR=\(destdir.path)", "PREFIX=\(prefix)"]
        let install = try await make(["install-files", "BUILD_BIN=\(DaemonProcess.binDirectory.path)"] + common)
        #expect(install.status == 0, "\(install.stdout)\n\(install.stderr)")

        let expected: [(String, Int)] = [
            ("\(prefix)/bin/neurolinkd", 0o755), ("\(prefix)/bin/nlctl", 0o755),
            ("\(prefix)/lib/systemd/system/neurolinkd.service", 0o644),
            ("\(prefix)/lib/systemd/system/neurolinkd.socket", 0o644),
            ("\(prefix)/lib/sysusers.d/neurolink.conf", 0o644), ("\(prefix)/lib/tmpfiles.d/neurolink.conf", 0o644),
            ("\(prefix)/share/doc/neurolink/README.md", 0o644),
            ("\(prefix)/share/doc/neurolink/configuration.md", 0o644),
            ("\(prefix)/share/doc/neurolink/protocol.md", 0o644),
            ("\(prefix)/share/doc/neurolink/examples/neurolinkd.yaml", 0o644),
            ("/etc/neurolink/neurolinkd.yaml", 0o644),
        ]
        for (path, mode) in expected {
            let attributes = try? FileManager.default.attributesOfItem(atPath: destdir.path + path)
            #expect(
                attributes?[.posixPermissions] as? Int == mode,
                "\(path): \(attributes.map { "\($0[.posixPermissions] ?? "?")" } ?? "missing")"
            )
        }
        let service = try String(
            contentsOfFile: destdir.path + "\(prefix)/lib/systemd/system/neurolinkd.service",
            encoding: .utf8
        )
        #expect(service.contains("ExecStart=\(prefix)/bin/neurolinkd --config /etc/neurolink/neurolinkd.yaml"))
        #expect(service.contains("file://\(prefix)/share/doc/neurolink/README.md"))

        // An operator's edited configuration survives both a reinstall and an uninstall.
        let config = destdir.path + "/etc/neurolink/neurolinkd.yaml"
        try "providers: []\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await make(["install-files", "BUILD_BIN=\(DaemonProcess.binDirectory.path)"] + common).status == 0)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "providers: []\n")

        let uninstall = try await make(["uninstall"] + common)
        #expect(uninstall.status == 0, "\(uninstall.stdout)\n\(uninstall.stderr)")
        let left = FileManager.default.enumerator(atPath: destdir.path)?.compactMap { $0 as? String }
            .filter {
                !((try? FileManager.default.attributesOfItem(atPath: destdir.path + "/" + $0))?[.type]
                    as? FileAttributeType == .typeDirectory)
            }
        #expect(left == ["etc/neurolink/neurolinkd.yaml"], "left after uninstall: \(left ?? [])")
    }
}
