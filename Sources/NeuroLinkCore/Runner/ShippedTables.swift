import NeuroLinkSecurity

/// The tables shipped inside the binary (the injection rules, the model prices), decoded and
/// compiled once per process on first use: a few milliseconds of CPU, most of it the injection
/// rule compiler (docs/benchmarks.md, "Start-up").
public enum ShippedTables {
    /// Builds them now, on the caller's thread. The daemon calls this on a thread of its own as
    /// it starts, so that the work overlaps configuration, the curl engine and the databases; the
    /// first pipeline, which needs both, waits for whatever is still in progress (they are lazily
    /// initialised globals). They are not left for the first request: its time would count as
    /// the daemon's overhead.
    public static func prepare() {
        _ = InjectionRules.default
        _ = ShippedPricing.file
    }
}
