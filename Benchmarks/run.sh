#!/usr/bin/env bash
# Builds neurolinkd and the benchmark in release mode, then runs the benchmark against that daemon.
# Extra arguments go to the benchmark: --quick, --record, --soak SECONDS, --only SECTION[,SECTION...] (startup, ttft,
# throughput, idle, soak, admission, writer, decode, analytics, cache, security, instructions, front)
# (instructions runs the daemon under callgrind: Debian's valgrind; skipped with a note without it)
# (admission needs no daemon: Benchmarks/.build/release/neurolink-bench --only admission runs it alone).
set -euo pipefail
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_dir")"

echo "==> building neurolinkd (release)" >&2
# Built as `make` builds it (scripts/release-build.sh: start-up, idle RSS).
"$root/scripts/release-build.sh" --package-path "$root" --product neurolinkd >&2
daemon="$("$root/scripts/release-build.sh" --package-path "$root" --show-bin-path)/neurolinkd"

echo "==> building neurolink-bench (release)" >&2
(cd "$bench_dir" && swift build -c release >&2)
bench="$(cd "$bench_dir" && swift build -c release --show-bin-path)/neurolink-bench"

# Every run is compared with the figures recorded in Benchmarks/recorded.json; `--record` replaces them.
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
if ! git -C "$root" diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then commit="$commit+changes"; fi
exec "$bench" --daemon "$daemon" --figures "$bench_dir/recorded.json" --commit "$commit" "$@"
