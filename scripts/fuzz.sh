#!/usr/bin/env bash
# Coverage-guided fuzzing of NeuroLink's parsers with libFuzzer (the Fuzz/ package; see
# docs/robustness.md, "Fuzzing").
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]     (defaults: all, 60)
#        scripts/fuzz.sh --smoke                    (all targets, 15 s each: what CI runs)
#        scripts/fuzz.sh --list
#
# Builds the Fuzz package once with libFuzzer and AddressSanitizer into Fuzz/.build (release by
# default; a debug build takes less than half the CPU time but fuzzes 5 to 15 times slower), then
# runs each target for SECONDS from a fresh copy of its seed corpus (Fuzz/Corpus/TARGET) in a
# temporary working directory. Exits non-zero if any target crashes, times out, runs out of memory,
# leaks, or does not fuzz at all, and prints where the failing input was saved; reproduce it with
#   SWIFT_BACKTRACE=enable=no Fuzz/.build/release/fuzz-TARGET FILE
# Environment:
#   FUZZ_CONFIG=debug|release   build configuration (default: release)
#   FUZZ_RUNS=N         also stop a target after N executions (e.g. 10000000 for a long run)
#   FUZZ_SKIP_BUILD=1   use the binaries already built
#   FUZZ_KEEP=1         keep the working directory (grown corpora, logs) even when all passed
#   FUZZ_WORK=DIR       working directory (default: a new one under ${TMPDIR:-/tmp})
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/Fuzz"

log() { printf '==> %s\n' "$*" >&2; }

# Each target and the longest input it gets: enough for a few realistic events or frames, small
# enough to keep executions fast. Config seeds include the 7 KB annotated sample.
declare -A MAX_LEN=(
    [frame]=4096 [sse]=4096 [ndjson]=4096 [event-stream]=4096
    [openai]=8192 [anthropic]=8192 [gemini]=8192 [ollama]=8192 [bedrock]=8192
    [sagemaker-openai]=8192 [sagemaker-tgi]=8192 [fast-path]=4096
    [partial-json]=4096 [config]=8192 [headers]=4096
)
# Extra libFuzzer options. headers: its admissions run on Swift's concurrency threads, whose
# allocations never balance within one input, so libFuzzer would run LeakSanitizer after every
# input (twenty times slower); leaks stay checked in every other target.
declare -A EXTRA=([headers]=-detect_leaks=0)
TARGETS=(frame sse ndjson event-stream openai anthropic gemini ollama bedrock sagemaker-openai sagemaker-tgi
    fast-path partial-json config headers)

target="${1:-all}"
seconds="${2:-60}"
case "$target" in
    --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    --smoke) target=all; seconds=15 ;;
    all) ;;
    *)
        if [ -z "${MAX_LEN[$target]+set}" ]; then
            echo "unknown target '$target' (known: ${TARGETS[*]})" >&2
            exit 64
        fi
        ;;
esac
case "$seconds" in '' | *[!0-9]*) echo "SECONDS must be a whole number, not '$seconds'" >&2; exit 64 ;; esac
if [ "$target" = all ]; then selected=("${TARGETS[@]}"); else selected=("$target"); fi
config="${FUZZ_CONFIG:-release}"
case "$config" in debug | release) ;; *) echo "FUZZ_CONFIG must be debug or release, not '$config'" >&2; exit 64 ;; esac
BIN="$FUZZ/.build/$config"

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    log "building the Fuzz package ($config, libFuzzer and AddressSanitizer)"
    build_start=$SECONDS
    # The Fuzz package reaches the product's sources through a path dependency, and SwiftPM's cached
    # build plan does not notice source files added or removed there. When the set of source files
    # differs from the last build's, drop the plan (SwiftPM then rebuilds); otherwise keep it.
    sources="$(cd "$ROOT" && find Sources -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' -o -name '*.json' \) | sort | sha256sum)"
    stamp="$FUZZ/.build/sources-$config.sha256"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sources" ]; then
        rm -f "$FUZZ/.build/$config.yaml" "$FUZZ/.build/"*"/$config/description.json"
    fi
    # SwiftPM passes each --sanitize to swiftc as a flag of its own, in no fixed order, and swiftc
    # 6.3 keeps only the last one: Swift code would get coverage or AddressSanitizer, never both.
    # The combined flag, which comes after SwiftPM's, gives both; --sanitize=fuzzer still makes
    # SwiftPM link libFuzzer's main, and both --sanitize flags instrument the C targets.
    swift build --package-path "$FUZZ" -c "$config" --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address
    mkdir -p "$FUZZ/.build" && printf '%s\n' "$sources" > "$stamp"
    log "built in $((SECONDS - build_start)) s"
fi

work="${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/neurolink-fuzz.XXXXXX")}"
mkdir -p "$work"
failed=()
for name in "${selected[@]}"; do
    dir="$work/$name"
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp "$FUZZ/Corpus/$name"/* "$dir/corpus/"
    args=(
        -max_total_time="$seconds" -max_len="${MAX_LEN[$name]}" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/"
    )
    if [ -n "${EXTRA[$name]:-}" ]; then args+=("${EXTRA[$name]}"); fi
    if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); fi
    log "fuzz-$name for ${seconds} s: $BIN/fuzz-$name ${args[*]} $dir/corpus"
    status=0
    # The Swift crash handler would report every libFuzzer trap as an AddressSanitizer error of its own.
    SWIFT_BACKTRACE=enable=no "$BIN/fuzz-$name" "${args[@]}" "$dir/corpus" </dev/null >"$dir/log" 2>&1 || status=$?
    summary="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/log" | tail -1 || true)"
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")"
    if [ "$status" -ne 0 ]; then
        log "fuzz-$name FAILED (exit status $status); its log ends:"
        grep -v '# Uses:' "$dir/log" | tail -40 >&2
        for artifact in "$dir/artifacts"/*; do
            [ -e "$artifact" ] && log "failing input: $artifact"
        done
        failed+=("$name")
    elif ! grep -Eq 'INITED cov: [1-9]' "$dir/log" || [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
        # A binary linked without libFuzzer's driver exits 0 at once, and one built without
        # coverage instrumentation fuzzes blindly: neither may pass.
        log "fuzz-$name did not fuzz (no coverage at INITED, or no executions); log: $dir/log"
        failed+=("$name")
    else
        log "fuzz-$name ok: ${runs} executions, ${speed} exec/s; ${summary}"
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    log "FAILED: ${failed[*]} (working directory kept: $work)"
    exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ] || [ -n "${FUZZ_WORK:-}" ]; then
    log "all passed; working directory: $work"
else
    rm -rf "$work"
    log "all passed"
fi
