import CCurl
import Glibc

// libcurl's socket interface (`curl_multi_socket_action`): libcurl says which sockets it wants to hear about and
// when to call it back; the loop thread waits for both on one epoll set, with the inbox's eventfd in it too.
// Unlike `curl_multi_poll`, a wait costs the same whether one transfer is open or ten thousand, and libcurl looks
// only at the sockets that are ready. Loop thread only.

/// The descriptors the loop waits on: an epoll set holding libcurl's sockets and the wake-up eventfd.
struct LoopDescriptors {
    let epoll: Int32
    let wake: Int32

    init() throws(TransferError) {
        let epoll = nl_epoll_create()
        guard epoll >= 0 else { throw .network(code: -1, message: "epoll_create1 failed (errno \(errno))") }
        let wake = nl_eventfd()
        guard wake >= 0, nl_epoll_watch_readable(epoll, wake) == 0 else {
            if wake >= 0 { Glibc.close(wake) }
            Glibc.close(epoll)
            throw .network(code: -1, message: "eventfd for the curl loop failed (errno \(errno))")
        }
        self.epoll = epoll
        self.wake = wake
    }

    /// Wakes the loop thread from any thread.
    func signal() {
        var one: UInt64 = 1
        // EAGAIN means the counter is already non-zero: the loop will wake anyway.
        _ = withUnsafeBytes(of: &one) { write(wake, $0.baseAddress, $0.count) }
    }

    /// Resets the eventfd after it woke the loop.
    func acknowledge() {
        var count: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &count) { read(wake, $0.baseAddress, $0.count) }
    }

    func close() {
        Glibc.close(wake)
        Glibc.close(epoll)
    }
}

/// Ready descriptors from one wait, with libcurl's `CURL_CSELECT_*` bits for each; the storage is reused
/// between waits.
struct ReadySockets {
    private(set) var count = 0
    private var fds = [Int32](repeating: 0, count: Int(NL_EPOLL_BATCH))
    private var flags = [Int32](repeating: 0, count: Int(NL_EPOLL_BATCH))

    /// Waits on `epoll` for at most `timeoutMilliseconds`; an interrupted wait counts as nothing ready.
    mutating func wait(on epoll: Int32, timeoutMilliseconds: Int32) {
        let ready = fds.withUnsafeMutableBufferPointer { fds in
            flags.withUnsafeMutableBufferPointer { flags in
                nl_epoll_wait(epoll, fds.baseAddress, flags.baseAddress, timeoutMilliseconds)
            }
        }
        count = max(0, Int(ready))
    }

    subscript(index: Int) -> (fd: Int32, flags: Int32) { (fds[index], flags[index]) }
}

// Capture-free C callbacks; their user data is the loop's `LoopState`.

/// libcurl's socket callback: start, change or stop watching a socket.
let socketCallback:
    @convention(c) (
        UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> Int32 = { _, socket, what, userdata, _ in
        guard let userdata else { return -1 }
        let state = Unmanaged<LoopState>.fromOpaque(userdata).takeUnretainedValue()
        // Never -1: libcurl would mark the whole multi handle dead and fail every later transfer. A socket that
        // could not be watched leaves its transfer to end by its own deadline.
        _ = nl_epoll_watch(state.epoll, socket, what)
        return 0
    }

/// libcurl's timer callback: when to call `curl_multi_socket_action` with `CURL_SOCKET_TIMEOUT` next
/// (0: as soon as possible; -1: no timer).
let timerCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _,
    timeoutMilliseconds,
    userdata in
    guard let userdata else { return -1 }
    let state = Unmanaged<LoopState>.fromOpaque(userdata).takeUnretainedValue()
    state.curlTimer = timeoutMilliseconds < 0 ? nil : .now + .milliseconds(timeoutMilliseconds)
    return 0
}
