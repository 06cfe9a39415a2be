#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A close-on-exec pipe: other children must not inherit either end, or a server would never see
/// end of file on its stdin. (`pipe2` is not visible to Swift on Glibc; ``ChildProcess`` creates
/// pipes and spawns under one lock so that none of its own spawns catches a pipe in between.)
struct PosixPipe {
    let readEnd: Int32
    let writeEnd: Int32

    static func make() throws(ProcessLaunchError) -> PosixPipe {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw ProcessLaunchError(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return PosixPipe(readEnd: descriptors[0], writeEnd: descriptors[1])
    }

    func closeBoth() {
        close(readEnd)
        close(writeEnd)
    }
}
