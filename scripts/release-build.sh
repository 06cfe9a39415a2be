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
# -disable-concrete-type-metadata-mangled-name-accessors: code that needs the metadata of a concrete
#   generic type (a `Dictionary<UInt8, …>`, a NIO handler's generic context) calls its accessor with
#   the conformances the compiler already knows, instead of handing the runtime a mangled name to
#   demangle, whose generic requirements it then checks by scanning all 12,000 conformance records
#   once per new (type, protocol) pair: a quarter of start-up's instructions (docs/benchmarks.md).
#
# A release build directory made before without these flags keeps its objects (Swift 6.3 does not
# recompile a module when only a frontend flag changes): remove .build/*/release once.
set -euo pipefail
exec "${SWIFT:-swift}" build -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors "$@"
