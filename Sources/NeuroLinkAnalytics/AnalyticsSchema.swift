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
            }
            try db.create(index: "requests_by_time", on: "requests", columns: ["started_at"])
            try db.create(index: "requests_by_tenant", on: "requests", columns: ["tenant", "started_at"])
        }
        migrator.registerMigration("v2: evaluation") { db in
            try db.alter(table: "requests") { t in
                // The judge's scores, 1–10 (`enableEvaluation`). Its reason is not stored: it may
                // quote the conversation, which the store never holds.
                t.add(column: "eval_relevance", .integer)
                t.add(column: "eval_accuracy", .integer)
                t.add(column: "eval_completeness", .integer)
                t.add(column: "eval_overall", .integer)
                // `provider/model` of the judge.
                t.add(column: "eval_judge", .text)
                // Why an answer that asked for evaluation has none: no_text, judge_error, timeout, invalid_verdict.
                t.add(column: "eval_error", .text)
            }
        }
        migrator.registerMigration("v3: cache") { db in
            try db.alter(table: "requests") { t in
                // With cache_status (v1): how old a hit's answer was, and the dollars it saved.
                t.add(column: "cache_age_ms", .double)
                t.add(column: "cache_saved_cost", .double)
                // The semantic tier's best candidate similarity (hit, refusal or miss).
                t.add(column: "cache_similarity", .double)
            }
        }
        migrator.registerMigration("v4: security") { db in
            try db.alter(table: "requests") { t in
                // The rule of a forbidden, content_blocked or input-limit error.
                t.add(column: "error_rule", .text)
                // Prompt-injection detection: the score, and flagged or blocked.
                t.add(column: "injection_score", .double)
                t.add(column: "injection_action", .text)
                // Counts only, never values: {"input": {"email": 1}, "output": {...}, "unredacted": {...}}.
                t.add(column: "redactions", .text)
                // What the content filters did: `replace`, and the id of the stop rule that ended the answer.
                t.add(column: "filtered", .text)
            }
        }
        migrator.registerMigration("v5: tool loop") { db in
            try db.alter(table: "requests") { t in
                // Model turns of the tool loop, when it ran tools.
                t.add(column: "tool_steps", .integer)
                // The tools it ran, never their arguments or outputs: [{"step", "name", "execution", "ok", "ms"}].
                t.add(column: "tool_calls", .text)
            }
        }
        return migrator
    }
}
