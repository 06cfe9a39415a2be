#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit. A gateway holds a descriptor per client connection and per
/// upstream transfer, so the daemon raises its soft limit to the hard one at start (the shipped
/// unit sets `LimitNOFILE=`); past it, new connections are shed and established ones keep working.
enum DescriptorLimit {
    /// The soft `RLIMIT_NOFILE` in force; 0 when it cannot be read.
    static var current: UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return UInt64(limit.rlim_cur)
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the limit now in force.
    @discardableResult
    static func raise() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
