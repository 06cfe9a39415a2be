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
bash "$SCRIPTS/bootstrap.sh" --tests

log "step 2/4: local models (the end-to-end test's, the semantic cache's embedding model) and the openai SDK"
bash "$SCRIPTS/demo-model.sh" install
bash "$SCRIPTS/embedding-model.sh" install
# Test tooling: the official openai SDK, which the HTTP front's tests drive the daemon with.
bash "$SCRIPTS/openai-sdk.sh" install
NEUROLINK_OPENAI_PYTHON="$(bash "$SCRIPTS/openai-sdk.sh" python)"
export NEUROLINK_OPENAI_PYTHON
NEUROLINK_MODEL_DIR="$(bash "$SCRIPTS/embedding-model.sh" dir)"
export NEUROLINK_MODEL_DIR

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

# Unit and integration tests run in parallel. The few that measure wall-clock timing and need a
# quiet machine (admission rates, watchdog cadence, ...) live in suites named `*SerialTests` and run
# afterwards, one at a time, with nothing else in the test process.
serial='SerialTests'
# At most this many tests at once (Swift Testing's own limit otherwise grows with the test count):
# each integration test runs a daemon and an upstream of its own. On 2 cores, 8 keeps both busy
# (4 left a third of the time idle while tests waited on timers); 16 was no faster.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}"
log "step 4/4: swift test --skip-build $* (everything but the $serial suites in parallel, then those one at a time)"
set +e
# A bound so a hung test can never hold CI for its whole 90 minutes.
timeout --signal=KILL 20m swift test --skip-build --skip "$serial" "$@"
parallel=$?
log "parallel tests: swift test exited with status $parallel after $((SECONDS - start)) s in total"
# Fuzz smoke (docs/robustness.md, "Fuzzing"): builds Fuzz/ with libFuzzer and AddressSanitizer (debug:
# less than half the build time of release, and 15 s is a smoke, not a search) and runs every parser's
# harness for 15 s; a crash, or a harness that does not fuzz, fails the run.
FUZZ_CONFIG="${FUZZ_CONFIG:-debug}" timeout --signal=KILL 40m bash "$SCRIPTS/fuzz.sh" --smoke
fuzz=$?
log "fuzz smoke: scripts/fuzz.sh exited with status $fuzz after $((SECONDS - start)) s in total"
timeout --signal=KILL 40m swift test --skip-build --no-parallel --filter "$serial" "$@"
serialized=$?
set -e
log "serial tests: swift test exited with status $serialized after $((SECONDS - start)) s in total"
if [ "$parallel" -ne 0 ]; then exit "$parallel"; fi
if [ "$fuzz" -ne 0 ]; then exit "$fuzz"; fi
exit "$serialized"
