/// The names the daemon's metrics are exported under: the OpenTelemetry GenAI semantic conventions
/// in their Prometheus form (dots become underscores, the unit becomes a suffix) where one exists,
/// `neurolink_*` for the rest. docs/monitoring.md lists them with their labels.
enum MetricNames {
    // OpenTelemetry GenAI (semantic conventions 1.3x, "gen_ai" client and server metrics).
    static let operationDuration = "gen_ai_client_operation_duration_seconds"
    static let tokenUsage = "gen_ai_client_token_usage"
    static let timeToFirstToken = "gen_ai_server_time_to_first_token_seconds"
    static let timePerOutputToken = "gen_ai_server_time_per_output_token_seconds"

    // Requests and routing.
    static let requests = "neurolink_requests_total"
    static let attempts = "neurolink_upstream_attempts_total"
    static let retries = "neurolink_retries_total"
    static let rejections = "neurolink_admission_rejections_total"
    static let cost = "neurolink_cost_usd_total"

    // Sampled from the daemon's state when metrics are read.
    static let activeStreams = "neurolink_active_streams"
    static let activeConnections = "neurolink_active_connections"
    static let queueDepth = "neurolink_queue_depth"
    static let queueOldestWait = "neurolink_queue_oldest_wait_seconds"
    static let bufferedBytes = "neurolink_stream_buffered_bytes"
    static let breakerOpen = "neurolink_breaker_open"
    static let memberHealthy = "neurolink_member_healthy"
    static let analyticsWritten = "neurolink_analytics_rows_written_total"
    static let analyticsDropped = "neurolink_analytics_rows_dropped_total"
    static let alertTransitions = "neurolink_alert_transitions_total"
    static let alertFiring = "neurolink_alert_firing"
    static let daemonOverhead = "neurolink_daemon_overhead_seconds"
    static let queueWait = "neurolink_queue_wait_seconds"
    static let cacheRequests = "neurolink_cache_requests_total"
    static let cacheSavedTokens = "neurolink_cache_saved_tokens_total"
    static let cacheRefusals = "neurolink_cache_semantic_refusals_total"
    static let cacheSavedCost = "neurolink_cache_saved_usd_total"
    static let cacheEntries = "neurolink_cache_entries"
    static let cacheBytes = "neurolink_cache_bytes"
    static let cacheDiskBytes = "neurolink_cache_disk_bytes"
    static let securityInjections = "neurolink_security_injections_total"
    static let securityRedactions = "neurolink_security_redactions_total"
    static let securityFiltered = "neurolink_security_filtered_total"
    static let securityDenials = "neurolink_security_denials_total"

    /// Each metric's `# HELP` text.
    static let help: [String: String] = [
        operationDuration: "Duration of stream and generate requests, from the request being read to its end.",
        tokenUsage: "Input and output tokens per successful request (estimated when the provider reports none).",
        timeToFirstToken: "Time from the request being read to the first piece of the answer reaching the client.",
        timePerOutputToken: "Time per output token after the first, per successful request.",
        requests: "Requests by outcome and provider.",
        attempts: "Upstream attempts by pool member and outcome (ok or the failure class).",
        retries: "Retries and failovers: attempts after a request's first.",
        rejections: "Requests refused before reaching a provider, by reason.",
        cost: "US dollars spent, for models whose price is known.",
        activeStreams: "Registered stream and generate requests not yet finished.",
        activeConnections: "Open client connections.",
        queueDepth: "Requests waiting in the admission queue.",
        queueOldestWait: "How long the oldest queued request has waited.",
        bufferedBytes: "Upstream bytes buffered for clients that read slowly.",
        breakerOpen: "1 while a pool member's circuit breaker is open or half-open, else 0.",
        memberHealthy: "1 while a pool member is healthy, else 0.",
        analyticsWritten: "Request rows written to the analytics database.",
        analyticsDropped: "Request rows lost because the analytics queue was full or a write failed.",
        alertTransitions: "Alert rules starting (firing) or stopping (resolved) to fire.",
        alertFiring: "1 while an alert rule fires, else 0 (from its first transition on).",
        queueWait: "Time requests that queued spent in the admission queue.",
        cacheRequests: "Requests by what the response cache did: hit, miss or bypass.",
        cacheRefusals: "Semantic-cache candidates the meaning guard refused, by what differed (number, negation, …).",
        cacheSavedTokens: "Tokens the response cache's hits did not spend, by type (input, output).",
        cacheSavedCost: "US dollars the response cache's hits did not spend (models with a known price).",
        cacheEntries: "Answers held in the response cache's memory.",
        cacheBytes: "Bytes the response cache's answers take in memory.",
        cacheDiskBytes: "Bytes of compressed answers in the response cache's database.",
        securityInjections: "Requests prompt-injection detection flagged or blocked, by action.",
        securityRedactions:
            "Values redacted, by detector (email, card, …) and direction (input, output); never the values.",
        securityFiltered: "Content-filter matches in answers, by rule id.",
        securityDenials: "Requests and method calls refused by a security policy or the input limits, by rule.",
        daemonOverhead:
            "Time a request spent in the daemon itself: its duration less upstream calls, queueing and retry backoff.",
    ]

    // Label names.
    static let operationName = "gen_ai_operation_name"
    static let providerName = "gen_ai_provider_name"
    static let requestModel = "gen_ai_request_model"
    static let errorType = "error_type"
    static let tokenType = "gen_ai_token_type"
}

/// Histogram buckets: the ones the GenAI conventions recommend for each metric, and for the
/// daemon's overhead, steps from 50 µs (the daemon's own share is well under a millisecond).
enum MetricBuckets {
    static let operationDuration: [Duration] = [
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ].map(Self.seconds)
    static let timeToFirstToken: [Duration] = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    ].map(Self.seconds)
    static let timePerOutputToken: [Duration] = [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
    ].map(Self.seconds)
    static let daemonOverhead: [Duration] = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    ].map(Self.seconds)
    static let queueWait: [Duration] = [
        0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    ].map(Self.seconds)
    static let durations = [
        MetricNames.operationDuration: operationDuration, MetricNames.timeToFirstToken: timeToFirstToken,
        MetricNames.timePerOutputToken: timePerOutputToken, MetricNames.daemonOverhead: daemonOverhead,
        MetricNames.queueWait: queueWait,
    ]
    static let values = [MetricNames.tokenUsage: tokenUsage]
    static let tokenUsage: [Double] = [
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864,
    ]

    private static func seconds(_ value: Double) -> Duration { .nanoseconds(Int64((value * 1e9).rounded())) }
}
