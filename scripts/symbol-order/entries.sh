#!/usr/bin/env bash
# Prints the link-time address of every function of BINARY with a size (what entered.c watches).
set -euo pipefail
nm -S --defined-only "$1" | awk '($3 == "t" || $3 == "T" || $3 == "W" || $3 == "w") && $2 !~ /^0+$/ { print $1 }' | sort -u
