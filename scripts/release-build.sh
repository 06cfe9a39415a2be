#!/usr/bin/env bash
# Builds in release mode as the shipped binaries are built; arguments go to `swift build`
# (`--product neurolinkd`, `--show-bin-path`). The Makefile, demo.sh, the bench and symbol-order.sh
# all build through here, so one set of flags makes one build directory.
#
# --static-swift-stdlib: the Swift runtime and Foundation linked in, so an exec relocates none of
#   their shared libraries (start-up, docs/benchmarks.md).
# -function-sections, for every module including the dependencies (a package's own flags reach only
#   its targets): each function in its own section, so the link can place the functions a daemon
#   runs side by side (scripts/symbol-order/order.txt) and gather the unnamed ones
#   (scripts/symbol-order/private-functions.ld) instead of moving each file's code as one block.
#
# A release build directory made before without these flags keeps its objects (Swift 6.3 does not
# recompile a module when only a frontend flag changes): remove .build/*/release once.
set -euo pipefail
exec "${SWIFT:-swift}" build -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections "$@"
