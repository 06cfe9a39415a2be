#!/usr/bin/env bash
# Installs the system packages NeuroLink needs to build and test on Debian/Ubuntu:
#   libcurl4-openssl-dev  - outbound HTTP (CCurl system library)
#   libsystemd-dev        - sd_notify / socket activation
#   libsqlite3-dev        - local state
#   libedit-dev           - line editing and history in `nlctl chat` (CEditLine system library)
#   pkg-config            - SwiftPM finds libcurl through it
#   systemd               - systemd-analyze, systemd-socket-activate, systemd-sysusers and
#                           systemd-tmpfiles for the systemd integration tests
#   curl, ca-certificates - used by scripts/demo-model.sh
#   g++, make             - compiling llama.cpp for the demo model (llama-cpp-python); make also
#                           runs the `make install`/`uninstall` test
#
# With --tests (scripts/test.sh), also what the test suite runs against:
#   prometheus             - promtool check metrics, and a real Prometheus scraping the daemon
#   prometheus-pushgateway - a real Pushgateway receiving the daemon's pushes
#   tmux                   - runs `nlctl top` in a real terminal
#
# Idempotent: when every package is already installed, apt is not touched at all.
# Environment:
#   NEUROLINK_SKIP_APT=1   never call apt-get (you manage system packages yourself)
#   NEUROLINK_FORCE_APT=1  run apt-get update/install even if everything looks installed
#                          (always the case in CI, where CI=true)
set -euo pipefail

PACKAGES=(
    libcurl4-openssl-dev
    libsystemd-dev
    libsqlite3-dev
    zlib1g-dev
    libopenblas-dev
    libedit-dev
    pkg-config
    systemd
    curl
    ca-certificates
    g++
    make
)

if [ "${1:-}" = "--tests" ]; then
    PACKAGES+=(prometheus prometheus-pushgateway tmux)
fi

log() { printf '==> %s\n' "$*"; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    fi
fi

missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        if [ "$status" != "install ok installed" ]; then
            printf '%s\n' "$pkg"
        fi
    done
}

apt_install() {
    # $@: packages
    if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
        die "not root and sudo is not available; install manually: $*"
    fi
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    log "apt-get install -y --no-install-recommends $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

if [ "${NEUROLINK_SKIP_APT:-0}" = "1" ]; then
    log "NEUROLINK_SKIP_APT=1: skipping system packages"
elif ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: skipping system packages (install the equivalents of: ${PACKAGES[*]})"
else
    if [ "${NEUROLINK_FORCE_APT:-0}" = "1" ] || [ "${CI:-}" = "true" ]; then
        mapfile -t missing < <(printf '%s\n' "${PACKAGES[@]}")
    else
        mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
    fi
    if [ "${#missing[@]}" -eq 0 ]; then
        log "system packages already installed: ${PACKAGES[*]}"
    else
        log "installing system packages: ${missing[*]}"
        apt_install "${missing[@]}"
    fi
fi

# The demo model lives in a Python venv. Make sure `python3 -m venv` really works
# (pyenv/python.org builds have it; Debian's /usr/bin/python3 needs python3-venv).
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (Python >= 3.9 is needed for the demo model)"
venv_works() {
    "$PYTHON" -m venv --help >/dev/null 2>&1 && "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}
if venv_works; then
    log "$("$PYTHON" --version 2>&1): 'python3 -m venv' works"
elif [ "${NEUROLINK_SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1; then
    pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    log "'$PYTHON -m venv' does not work: installing python3-venv"
    apt_install python3-venv "python${pyver}-venv" || apt_install python3-venv
    venv_works || die "'$PYTHON -m venv' still does not work"
else
    die "'$PYTHON -m venv' does not work; install your distribution's python3-venv package"
fi

command -v swift >/dev/null 2>&1 || die "swift not found on PATH (Swift 6.1+ toolchain required)"
log "$(swift --version 2>&1 | head -n1)"
log "bootstrap done"
