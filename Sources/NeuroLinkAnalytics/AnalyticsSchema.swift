import GRDB

/// The database's schema, versioned with GRDB migrations: a database made by an older daemon is
/// brought up to date when it opens; one made by a newer daemon (an unknown migration) is refused.
enum AnalyticsSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: requests") { db in
            try db.create(table: "requests") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("request_id", .text).notNull()
                // Seconds since 1970 (UTC).
                t.column("started_at", .double).notNull()
                t.column("method", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("tenant", .text).notNull()
                t.column("tenant_sub_key", .text)
                t.column("uid", .integer)
                t.column("user", .text)
                t.column("gid", .integer)
                t.column("user_id", .text)
                t.column("session_id", .text)
                // The request's other `context` keys, as a JSON object.
                t.column("context", .text)
                t.column("provider", .text)
                t.column("model", .text)
                t.column("pool", .text)
                t.column("member", .text)
                // JSON array of {member, outcome, waitMs}.
                t.column("attempts", .text)
                t.column("ttfc_ms", .double)
                t.column("duration_ms", .double).notNull()
                t.column("chunks", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("input_tokens", .integer)
                t.column("output_tokens", .integer)
                t.column("cached_tokens", .integer)
                t.column("reasoning_tokens", .integer)
                t.column("tokens_estimated", .boolean)
                t.column("tokens_per_second", .double)
                // US dollars; NULL when the model's price is unknown.
                t.column("cost", .double)
                t.column("finish_reason", .text)
                t.column("error_type", .text)
                t.column("failure_class", .text)
                // Filled by the response cache and the security stages.
                t.column("cache_status", .text)
                t.column("security_flags", .text)
                // A new database gets the later migrations' columns here, in their order, instead of
                // one `ALTER TABLE` each: SQLite parses the whole schema again for every one, two
                // thirds of the daemon's start-up time on this database.
                for column in laterColumns.flatMap(\.columns) { t.column(column.name, column.type) }
            }
            try db.create(index: "requests_by_time", on: "requests", columns: ["started_at"])
            try db.create(index: "requests_by_tenant", on: "requests", columns: ["tenant", "started_at"])
        }
        for (identifier, columns) in laterColumns {
            migrator.registerMigration(identifier) { db in
                // Only a database made before the migration lacks them. (The names alone: GRDB's
                // `columns(in:)` reads every column's details, four times the cost here.)
                let existing = Set(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('requests')"))
                let missing = columns.filter { !existing.contains($0.name) }
                guard !missing.isEmpty else { return }
                try db.alter(table: "requests") { t in
                    for column in missing { t.add(column: column.name, column.type) }
                }
            }
        }
        return migrator
    }

    /// The columns migrations after the first added to `requests`, by migration, in order.
    static let laterColumns: [(identifier: String, columns: [(name: String, type: Database.ColumnType)])] = [
        (
            "v2: evaluation",
            [
                // The judge's scores, 1–10 (`enableEvaluation`). Its reason is not stored: it may
                // quote the conversation, which the store never holds.
                ("eval_relevance", .integer), ("eval_accuracy", .integer), ("eval_completeness", .integer),
                ("eval_overall", .integer),
                // `provider/model` of the judge.
                ("eval_judge", .text),
                // Why an answer that asked for evaluation has none: no_text, judge_error, timeout, invalid_verdict.
                ("eval_error", .text),
            ]
        ),
        (
            "v3: cache",
            [
                // With cache_status (v1): how old a hit's answer was, and the dollars it saved.
                ("cache_age_ms", .double), ("cache_saved_cost", .double),
                // The semantic tier's best candidate similarity (hit, refusal or miss).
                ("cache_similarity", .double),
            ]
        ),
        (
            "v4: security",
            [
                // The rule of a forbidden, content_blocked or input-limit error.
                ("error_rule", .text),
                // Prompt-injection detection: the score, and flagged or blocked.
                ("injection_score", .double), ("injection_action", .text),
                // Counts only, never values: {"input": {"email": 1}, "output": {...}, "unredacted": {...}}.
                ("redactions", .text),
                // What the content filters did: `replace`, and the id of the stop rule that ended the answer.
                ("filtered", .text),
            ]
        ),
        (
            "v5: tool loop",
            [
                // Model turns of the tool loop, when it ran tools.
                ("tool_steps", .integer),
                // The tools it ran, never their arguments or outputs: [{"step", "name", "execution", "ok", "ms"}].
                ("tool_calls", .text),
            ]
        ),
    ]
}
