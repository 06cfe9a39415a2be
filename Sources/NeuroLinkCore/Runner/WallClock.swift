#if canImport(Glibc)
import Glibc
import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting
#endif

/// The wall-clock time, for providers' absolute reset times (RFC 3339 headers).
public enum WallClock {
    /// Time since the Unix epoch.
    static var now: Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }

    /// Seconds since the Unix epoch, for records and reports.
    public static var unixSeconds: Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
