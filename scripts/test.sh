#!/usr/bin/env bash
# The whole test suite: unit, integration and the end-to-end test against a real
# local model (SmolLM2-135M via llama-cpp-python). Used as-is by CI (.ci/run).
#
# Usage: scripts/test.sh [extra `swift test` arguments, e.g. --filter Protocol]
# Environment:
#   NEUROLINK_SKIP_APT=1    passed on to scripts/bootstrap.sh
#   NEUROLINK_DEMO_VENV     where the model venv lives (see scripts/demo-model.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCRIPTS="$ROOT/scripts"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }

start=$SECONDS

log "step 1/4: system packages"
bash "$SCRIPTS/bootstrap.sh"

log "step 2/4: local model for the end-to-end test"
bash "$SCRIPTS/demo-model.sh" install

log "step 3/4: formatting (swift format lint --strict), then swift build --build-tests"
swift format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks Fuzz
swift build --build-tests

NEUROLINK_DEMO_VENV="$(bash "$SCRIPTS/demo-model.sh" venv)"
NEUROLINK_DEMO_GGUF="$(bash "$SCRIPTS/demo-model.sh" model-path)"
export NEUROLINK_DEMO_VENV NEUROLINK_DEMO_GGUF
export NEUROLINK_REQUIRE_E2E=1
log "NEUROLINK_DEMO_VENV=$NEUROLINK_DEMO_VENV"
log "NEUROLINK_DEMO_GGUF=$NEUROLINK_DEMO_GGUF"
log "NEUROLINK_REQUIRE_E2E=1"

# Unit tests run in parallel; the integration tests, each of which starts real daemons and
# upstreams and some of which measure time, run one at a time: on a 2-core machine running them
# all at once starves the test process's two concurrency threads and turns timing into noise.
log "step 4/4: swift test --skip-build $* (unit tests in parallel, then integration tests one at a time)"
set +e
# A bound so a hung test can never hold CI for its whole 90 minutes.
timeout --signal=KILL 20m swift test --skip-build --skip NeuroLinkIntegrationTests "$@"
unit=$?
log "unit tests: swift test exited with status $unit after $((SECONDS - start)) s in total"
# Fuzz smoke (docs/robustness.md, "Fuzzing"): builds Fuzz/ with libFuzzer and AddressSanitizer and
# runs every parser's harness for 15 s; a crash, or a harness that does not fuzz, fails the run.
timeout --signal=KILL 40m bash "$SCRIPTS/fuzz.sh" --smoke
fuzz=$?
log "fuzz smoke: scripts/fuzz.sh exited with status $fuzz after $((SECONDS - start)) s in total"
timeout --signal=KILL 40m swift test --skip-build --no-parallel --filter NeuroLinkIntegrationTests "$@"
integration=$?
set -e
log "integration tests: swift test exited with status $integration after $((SECONDS - start)) s in total"
if [ "$unit" -ne 0 ]; then exit "$unit"; fi
if [ "$fuzz" -ne 0 ]; then exit "$fuzz"; fi
exit "$integration"
