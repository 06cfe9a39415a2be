#if canImport(Glibc)
import Glibc
#endif

/// The wall-clock time, for providers' absolute reset times (RFC 3339 headers).
enum WallClock {
    /// Time since the Unix epoch.
    static var now: Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }
}
