#!/usr/bin/env bash
# The HTTP front side by side with LiteLLM (docs/benchmarks.md, "HTTP front and LiteLLM"): installs
# LiteLLM's proxy into a bench-only venv (never part of the product, nor of the test suite), then
# runs the benchmark's front section: direct to the loopback upstream, through neurolinkd's HTTP
# front, and through LiteLLM, with the same load generator, in one run.
#
# Usage: Benchmarks/compare-litellm.sh [--quick] [other neurolink-bench arguments]
# Environment:
#   NEUROLINK_LITELLM_VENV  venv location (default: ${XDG_CACHE_HOME:-~/.cache}/neurolink/litellm-venv)
set -euo pipefail
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

VENV="${NEUROLINK_LITELLM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/neurolink/litellm-venv}"
VENV="${VENV%/}"
# Pinned, so that runs on different days compare like with like.
VERSION="1.108.7"

if ! [ -x "$VENV/bin/litellm" ] || [ "$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('litellm'))" 2>/dev/null)" != "$VERSION" ]; then
    echo "==> pip install litellm[proxy]==$VERSION into $VENV" >&2
    mkdir -p "$(dirname "$VENV")"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "litellm[proxy]==$VERSION"
fi

exec "$bench_dir/run.sh" --only front --litellm "$VENV/bin/litellm" "$@"
