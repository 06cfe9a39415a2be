#!/usr/bin/env bash
# Rewrites scripts/symbol-order/order.txt: the functions neurolinkd and nlctl enter while starting,
# answering, streaming and sitting idle, start-up and idle first. Release links place those first,
# side by side (lld's --symbol-ordering-file, Package.swift; per function with scripts/release-build.sh),
# so the few MiB of code a daemon uses share pages instead of touching one 64 KiB fault-around window
# after another across 30 MiB of code (docs/benchmarks.md, "Idle RSS"). Run it after changes that move
# much code; names it no longer finds are skipped, and new code is merely laid out after the ordered part.
#
# Needs: clang, nm, python3; it builds neurolinkd, nlctl and the bench in release mode first. The traced
# runs take under a minute.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$root/scripts/symbol-order"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
scripts/release-build.sh --product neurolinkd >&2
scripts/release-build.sh --product nlctl >&2
bin="$(scripts/release-build.sh --show-bin-path)"
(cd Benchmarks && swift build -c release >&2)
bench="$(cd Benchmarks && swift build -c release --show-bin-path)/neurolink-bench"
"${CC:-clang}" -O2 -shared -fPIC -o "$work/entered.so" "$tool/entered.c" -ldl -lpthread

# Each binary runs with a breakpoint on every function; ENTERED_OUT.<pid> lists those entered.
trace() { # NAME: a wrapper that runs the release NAME traced
    "$tool/entries.sh" "$bin/$1" > "$work/$1.entries"
    mkdir -p "$work/$1"
    cat > "$work/traced-$1" <<WRAPPER
#!/bin/sh
export SWIFT_BACKTRACE=enable=no ENTERED_IN="$work/$1.entries" ENTERED_OUT="$work/$1/entered" LD_PRELOAD="$work/entered.so"
exec "$bin/$1" "\$@"
WRAPPER
    chmod +x "$work/traced-$1"
}
trace neurolinkd
trace nlctl

# The daemon: start-up, first chunks, throughput at 1 to 1,000 streams, idle streams and their cancel.
OPENBLAS_NUM_THREADS=1 "$bench" --daemon "$work/traced-neurolinkd" --quick --only startup,ttft,throughput,idle >/dev/null

# nlctl: the commands run in loops, against a daemon started as an operator starts one (its one
# provider unreachable), itself traced too.
printf 'providers:\n  - name: none\n    type: openai\n    base_url: http://127.0.0.1:9/v1\n' > "$work/config.yaml"
STATE_DIRECTORY="$work" "$work/traced-neurolinkd" --config "$work/config.yaml" --socket "$work/nl.sock" 2>/dev/null &
daemon=$!
for _ in $(seq 100); do [ -S "$work/nl.sock" ] && break; sleep 0.05; done
# Idle for a second before any request (the bench takes idle RSS then), and the tracer's snapshot:
# what starting and sitting idle run.
sleep 1.2
cp "$work/neurolinkd/entered.$daemon" "$work/idle.entered"
"$work/traced-nlctl" --version >/dev/null
for arguments in "health" "status" "stream hello"; do
    # shellcheck disable=SC2086
    "$work/traced-nlctl" --socket "$work/nl.sock" $arguments >/dev/null 2>&1 || true
done
kill -TERM "$daemon"
wait "$daemon" || true

# Start-up and idle first, so that the code a request needs never shares a 64 KiB window with it (it
# is mapped by the first request, not at start); then what the bench's daemons ran besides (requests,
# streaming, idle streams), what the operator-started daemon ran besides (the answers, shutdown), nlctl.
mv "$work/neurolinkd/entered.$daemon" "$work/operator.entered"
{
    "$tool/names.py" "$bin/neurolinkd" "$work/idle.entered"
    "$tool/names.py" "$bin/neurolinkd" "$work"/neurolinkd/entered.*[0-9]
    "$tool/names.py" "$bin/neurolinkd" "$work/operator.entered"
    "$tool/names.py" "$bin/nlctl" "$work"/nlctl/entered.*[0-9]
} | awk '!seen[$0]++' > "$tool/order.txt"

echo "scripts/symbol-order/order.txt: $(wc -l < "$tool/order.txt") functions" >&2
# SwiftPM does not know the list is an input of the link: make the next build link both again.
rm -f "$bin/neurolinkd" "$bin/nlctl"
