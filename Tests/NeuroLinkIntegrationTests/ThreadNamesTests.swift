import Foundation
import LoopbackUpstream
import Testing

/// An operator finds the daemon's threads by name in `top -H`, `ps -L` and profiles.
@Suite struct ThreadNamesTests {
    @Test func theCurlThreadCarriesItsName() async throws {
        try await LoopbackUpstream.with { upstream in
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let tasks = "/proc/\(daemon.process.processIdentifier)/task"
                let names = try FileManager.default.contentsOfDirectory(atPath: tasks).map { task in
                    let comm = (try? String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8)) ?? ""
                    return comm.trimmingCharacters(in: .newlines)
                }
                #expect(names.contains("neurolink-curl"), "threads: \(names.sorted())")
            }
        }
    }
}
