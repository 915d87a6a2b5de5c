#!/usr/bin/env bash
# The full test suite: set up (install what is missing, build everything), then run every test
# registered with CTest (unit tests, CLI tests, the conformance suites).
#
# usage: scripts/test.sh [extra ctest arguments, e.g. -R conformance]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
ctest --test-dir "$build" --output-on-failure -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}" "$@"
