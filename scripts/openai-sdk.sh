#!/usr/bin/env bash
# Test tooling, never part of the product: the official `openai` Python SDK in a venv of its own,
# for the HTTP front's tests (Tests/NeuroLinkIntegrationTests/HTTPFront).
#
# Usage:
#   scripts/openai-sdk.sh install   create/reuse the venv and install the pinned SDK
#   scripts/openai-sdk.sh python    print the venv's python interpreter
# Environment:
#   NEUROLINK_OPENAI_VENV   venv location (default: ${XDG_CACHE_HOME:-~/.cache}/neurolink/openai-venv)
set -euo pipefail

VENV="${NEUROLINK_OPENAI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/neurolink/openai-venv}"
VENV="${VENV%/}"
PY="$VENV/bin/python"
# Pinned: the tests check the wire format this version's stream helpers assemble.
SPEC="openai==3.57.0"

log() { printf '==> %s\n' "$*" >&2; }

install() {
    if [ -x "$PY" ] && "$PY" -c "import openai, sys; sys.exit(openai.__version__ != '${SPEC#openai==}')" 2>/dev/null; then
        log "$SPEC already installed in $VENV"
        return
    fi
    mkdir -p "$(dirname "$VENV")"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    log "pip install $SPEC into $VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check "$SPEC"
}

case "${1:-}" in
install) install ;;
python) echo "$PY" ;;
*)
    echo "usage: $0 install|python" >&2
    exit 64
    ;;
esac
