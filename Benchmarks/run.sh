#!/usr/bin/env bash
# Builds neurolinkd and the benchmark in release mode, then runs the benchmark against that daemon.
# Extra arguments go to the benchmark: --quick, --soak SECONDS, --only SECTION[,SECTION...] (startup, ttft, throughput,
# idle, soak, admission)
# (admission needs no daemon: Benchmarks/.build/release/neurolink-bench --only admission runs it alone).
set -euo pipefail
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_dir")"

echo "==> building neurolinkd (release)" >&2
(cd "$root" && swift build -c release --product neurolinkd >&2)
daemon="$(cd "$root" && swift build -c release --product neurolinkd --show-bin-path)/neurolinkd"

echo "==> building neurolink-bench (release)" >&2
(cd "$bench_dir" && swift build -c release >&2)
bench="$(cd "$bench_dir" && swift build -c release --show-bin-path)/neurolink-bench"

exec "$bench" --daemon "$daemon" "$@"
