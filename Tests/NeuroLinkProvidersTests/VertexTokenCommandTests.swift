import Foundation
import Testing

@testable import NeuroLinkProviders

@Suite struct VertexTokenCommandTests {
    @Test func commandLinesSplitLikeAShellWithoutExpansion() throws {
        #expect(
            try TokenCommandLine.split("gcloud auth print-access-token") == ["gcloud", "auth", "print-access-token"]
        )
        #expect(
            try TokenCommandLine.split(#"  sh -c 'echo $TOKEN | tr a b'  "#) == ["sh", "-c", "echo $TOKEN | tr a b"]
        )
        #expect(try TokenCommandLine.split(#"a "b \"c\" \d" e\ f '' x"#) == ["a", #"b "c" \d"#, "e f", "", "x"])
        #expect(throws: TokenCommandLine.Problem.self) { try TokenCommandLine.split("a 'b") }
        #expect(throws: TokenCommandLine.Problem.self) { try TokenCommandLine.split("a \\") }
        #expect(throws: TokenCommandLine.Problem.self) { try TokenCommandLine.split("   ") }
        #expect(TokenCommandLine.resolve("sh", searchPath: "/nonexistent:/bin:/usr/bin")?.hasSuffix("/sh") == true)
        #expect(TokenCommandLine.resolve("no-such-program-here", searchPath: "/bin:/usr/bin") == nil)
        #expect(TokenCommandLine.resolve("/bin/sh", searchPath: nil) == "/bin/sh")
    }

    /// Writes an executable shell script and returns its path.
    static func script(_ body: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nlvtx-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("token.sh").path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        return path
    }

    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func printsABareTokenOrATokenResponse() async throws {
        let bare = TokenCommand(
            arguments: [try Self.script("echo 'warming up' >&2\necho ya29.bare-token"), "unused-arg"],
            timeout: .seconds(10)
        )
        let token = try await bare.fetch(now: { Self.now })
        #expect(token.value.value == "ya29.bare-token")
        #expect(token.refreshAt == Self.now.addingTimeInterval(120))

        let json = TokenCommand(
            arguments: [
                try Self.script(#"printf '{"access_token":"ya29.json","expires_in":1800,"token_type":"Bearer"}'"#)
            ],
            timeout: .seconds(10)
        )
        let parsed = try await json.fetch(now: { Self.now })
        #expect(parsed.value.value == "ya29.json" && parsed.expiresAt == Self.now.addingTimeInterval(1800))

        // Arguments reach the program as given, with no shell in between.
        let echo = TokenCommand(arguments: [try Self.script(#"printf '%s' "$1""#), "$HOME;*"], timeout: .seconds(10))
        #expect(try await echo.fetch(now: { Self.now }).value.value == "$HOME;*")
    }

    @Test func failuresExplainThemselvesWithoutPrintingTheOutput() async throws {
        func failure(_ command: TokenCommand) async -> TokenFailure? {
            do {
                _ = try await command.fetch(now: { Self.now })
                return nil
            } catch { return error }
        }
        let exit = try #require(
            await failure(
                TokenCommand(
                    arguments: [try Self.script("echo 'ERROR: not logged in' >&2\necho ya29.partial\nexit 3")],
                    timeout: .seconds(10)
                )
            )
        )
        #expect(
            exit.message.contains("exited with status 3: ERROR: not logged in")
                && !exit.message.contains("ya29.partial")
        )

        let started = ContinuousClock.now
        let slow = try #require(
            await failure(TokenCommand(arguments: [try Self.script("exec sleep 20")], timeout: .milliseconds(300)))
        )
        #expect(slow.message.contains("did not finish within 300 ms") && slow.retryable)
        // Far below the 20 s the program would sleep; generous because the suite runs many processes at once.
        #expect(ContinuousClock.now - started < .seconds(15))

        let missing = try #require(
            await failure(TokenCommand(arguments: ["/nonexistent/gcloud"], timeout: .seconds(5)))
        )
        #expect(missing.message.contains("could not run the token command gcloud (No such file or directory)"))

        let twoWords = try #require(
            await failure(TokenCommand(arguments: [try Self.script("echo 'not a token'")], timeout: .seconds(5)))
        )
        #expect(twoWords.message.contains("did not print a single token"))

        let flood = try #require(
            await failure(
                TokenCommand(
                    arguments: [try Self.script("head -c 200000 /dev/zero | tr '\\0' a")],
                    timeout: .seconds(10)
                )
            )
        )
        #expect(flood.message.contains("more than 64 KiB"))
    }

    /// A program file still open for writing cannot be executed (`ETXTBSY`). When the writer is
    /// another thread's freshly forked child, that lasts microseconds; a parallel test run hit it.
    @Test func aProgramBusyForAMomentIsTriedAgain() async throws {
        let path = try Self.script("echo ya29.after-busy")
        let writer = open(path, O_WRONLY)
        try #require(writer >= 0)
        let closer = Task {
            try? await Task.sleep(for: .milliseconds(40))
            close(writer)
        }
        let token = try await TokenCommand(arguments: [path], timeout: .seconds(10)).fetch(now: { Self.now })
        await closer.value
        #expect(token.value.value == "ya29.after-busy")
    }

    @Test func aProgramThatStaysBusyFailsSayingSo() async throws {
        let path = try Self.script("echo ya29.never")
        let writer = open(path, O_WRONLY)
        try #require(writer >= 0)
        defer { close(writer) }
        let started = ContinuousClock.now
        do {
            _ = try await TokenCommand(arguments: [path], timeout: .seconds(30)).fetch(now: { Self.now })
            Issue.record("a program open for writing ran")
        } catch {
            #expect(error.message == "could not run the token command token.sh (Text file busy)")
        }
        // Six tries, 10 + 20 + 40 + 80 + 160 ms apart: it gives up instead of waiting out the command's
        // 30 s timeout (the bound leaves room for a loaded machine: 3.9 s was seen under full load).
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}
