import NIOCore
import NIOPosix

/// Runs a task's jobs on a NIO event loop: the task that serves a connection, preferring the loop
/// its channel reads and writes on, hands nothing to the cooperative pool and back. A sequential
/// request then wakes one thread fewer at each hand-off (the pool's), which at concurrency 1 is
/// most of the daemon's cost (docs/benchmarks.md, "HTTP front and LiteLLM").
///
/// Only for tasks whose work does not block: a job that blocks holds up every channel of the loop.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    private init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per loop of the shared group, for the process's lifetime: a task refers to its
    /// preferred executor without keeping it alive.
    private static let shared = MultiThreadedEventLoopGroup.singleton.makeIterator().map(EventLoopTaskExecutor.init)

    /// The executor of `loop`, if it is one of the shared group's.
    static func of(_ loop: any EventLoop) -> EventLoopTaskExecutor? {
        shared.first { $0.loop === loop }
    }
}
