#!/usr/bin/env bash
# One command, fully offline: installs what is missing, builds neurolinkd and nlctl,
# starts a real local LLM (SmolLM2-135M via llama-cpp-python), starts the daemon
# against it, and streams one answer through the Unix socket so you can watch it.
#
# Usage: scripts/demo.sh ["prompt"]          (default prompt: "Tell me a story about AI")
# Environment:
#   NEUROLINK_DEMO_KEEP=1   keep the temp dir (config, socket dir, logs) after exit
#   NEUROLINK_SKIP_APT=1    passed on to scripts/bootstrap.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCRIPTS="$ROOT/scripts"
cd "$ROOT"

PROMPT="${*:-Tell me a story about AI}"
BIN="$ROOT/.build/release"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

WORK=""
DAEMON_PID=""

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        log "stopping neurolinkd (pid $DAEMON_PID)"
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        for _ in $(seq 1 25); do
            kill -0 "$DAEMON_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
    fi
    if [ -n "$WORK" ]; then
        if [ -f "$WORK/model.pid" ]; then
            DEMO_MODEL_PIDFILE="$WORK/model.pid" bash "$SCRIPTS/demo-model.sh" stop || true
        fi
        if [ "$status" -ne 0 ]; then
            for f in "$WORK/neurolinkd.log" "$WORK/model.log"; do
                if [ -s "$f" ]; then
                    log "last lines of $f:"
                    tail -n 30 "$f" >&2 || true
                fi
            done
        fi
        if [ "${NEUROLINK_DEMO_KEEP:-0}" = "1" ]; then
            log "kept $WORK (config, logs)"
        else
            rm -rf "$WORK"
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "step 1/6: system packages"
bash "$SCRIPTS/bootstrap.sh"

log "step 2/6: release build (neurolinkd, nlctl)"
bash "$SCRIPTS/release-build.sh" --product neurolinkd
bash "$SCRIPTS/release-build.sh" --product nlctl
[ -x "$BIN/neurolinkd" ] || die "$BIN/neurolinkd was not built"
[ -x "$BIN/nlctl" ] || die "$BIN/nlctl was not built"

log "step 3/6: local model (SmolLM2-135M-Instruct, llama-cpp-python)"
bash "$SCRIPTS/demo-model.sh" install

WORK="$(mktemp -d "${TMPDIR:-/tmp}/neurolink-demo.XXXXXX")"
CONFIG="$WORK/config.yaml"
SOCK="$WORK/neurolinkd.sock"
export DEMO_MODEL_PIDFILE="$WORK/model.pid"
export DEMO_MODEL_LOG="$WORK/model.log"

log "step 4/6: starting the model server"
PORT=""
for attempt in 1 2 3; do
    PORT="$(bash "$SCRIPTS/demo-model.sh" free-port)"
    if bash "$SCRIPTS/demo-model.sh" start "$PORT" >/dev/null; then
        break
    fi
    [ "$attempt" -lt 3 ] || die "could not start the model server"
    log "retrying on another port"
done

cat >"$CONFIG" <<EOF
providers:
  - name: local-smollm2
    type: openai-compatible
    base_url: http://127.0.0.1:$PORT/v1
    default_model: smollm2
defaults:
  provider: auto
  max_tokens: 200
  temperature: 0.7
EOF
log "config: $CONFIG"

log "step 5/6: starting neurolinkd on $SOCK"
"$BIN/neurolinkd" --config "$CONFIG" --socket "$SOCK" </dev/null >"$WORK/neurolinkd.log" 2>&1 &
DAEMON_PID=$!

deadline=$((SECONDS + 10))
until timeout 5 "$BIN/nlctl" --socket "$SOCK" health >/dev/null 2>&1; do
    kill -0 "$DAEMON_PID" 2>/dev/null || die "neurolinkd exited early"
    [ "$SECONDS" -lt "$deadline" ] || die "neurolinkd did not become healthy within 10 s"
    sleep 0.2
done
log "neurolinkd is healthy (pid $DAEMON_PID)"

log "step 6/6: nlctl stream \"$PROMPT\""
echo
set +e
"$BIN/nlctl" --socket "$SOCK" stream "$PROMPT"
status=$?
set -e
echo
if [ "$status" -eq 0 ]; then
    log "demo finished"
else
    log "nlctl stream failed with status $status"
fi
exit "$status"
