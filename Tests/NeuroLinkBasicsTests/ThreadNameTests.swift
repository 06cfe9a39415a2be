import Foundation
import NeuroLinkBasics
import Testing

/// Threads carry their names to the kernel, where `ps -L`, `top -H` and profilers read them.
@Suite struct ThreadNameTests {
    /// The calling thread's name as the kernel has it.
    static func kernelName(afterNaming name: String) async -> String {
        await withCheckedContinuation { continuation in
            // From a Dispatch worker, whose name the new thread would otherwise inherit.
            DispatchQueue.global().async {
                Thread.detachNewThread {
                    nameCurrentThread(name)
                    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                    continuation.resume(returning: comm.trimmingCharacters(in: .newlines))
                }
            }
        }
    }

    @Test func theKernelSeesTheName() async {
        #expect(await Self.kernelName(afterNaming: "neurolink-curl") == "neurolink-curl")
    }

    @Test func aLongNameIsCutToWhatTheKernelKeeps() async {
        #expect(await Self.kernelName(afterNaming: "neurolink-embedding-worker") == "neurolink-embed")
    }
}
