import Testing

/// What keeps `nlctl`'s start-up short: shells and monitoring run `nlctl health` and `nlctl --version`
/// in loops.
@Suite struct NLCtlStartupTests {
    /// Full Foundation (and with it FoundationInternationalization and ICU) stays out: loading it was
    /// a large part of a short command's start-up.
    @Test func nlctlLoadsFoundationEssentialsOnly() async throws {
        // The dynamic loader lists what it would load and stops (what `ldd` does). Test builds link
        // Foundation's libraries dynamically, so each one nlctl needs shows here.
        let run = try await runTool(
            DaemonProcess.binary("nlctl"),
            [],
            environment: ["LD_TRACE_LOADED_OBJECTS": "1"]
        )
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("libFoundationEssentials.so"), "\(run.stdout)")
        for library in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!run.stdout.contains(library), "\(run.stdout)")
        }
    }

    /// `--version` alone takes the shortcut; after another option ArgumentParser answers it. Both print
    /// the same.
    @Test func versionTheSameWithAndWithoutTheShortcut() async throws {
        let short = try await runTool(DaemonProcess.binary("nlctl"), ["--version"])
        let parsed = try await runTool(DaemonProcess.binary("nlctl"), ["--socket", "/nonexistent/n.sock", "--version"])
        #expect(short.status == 0 && parsed.status == 0, "\(short.stderr)\(parsed.stderr)")
        #expect(short.stdout == "0.1.0\n")
        #expect(parsed.stdout == short.stdout)
    }
}
