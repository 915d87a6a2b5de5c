#!/usr/bin/env bash
# The full test suite. Stages, each reported, all run even when one fails:
#   1. setup: install what is missing, build everything into build/ (g++, -Werror).
#   2. format: every C++ file of the tree is as clang-format (.clang-format) writes it.
#   3. ctest: every test registered with CTest in build/ (unit tests, CLI tests, the conformance
#      suites, the API tests with real clients), with a throwaway PostgreSQL server
#      (scripts/postgres.sh run: STATOR_TEST_POSTGRES names it for the whole run, and it is
#      removed afterwards, also on failure), so the store suites run on PostgreSQL too. A server
#      that does not start fails the stage.
#   4. clang: a second build, build-clang/ (clang, -Wthread-safety -Werror: the lock annotations
#      of common/thread_annotations.h are checked; AddressSanitizer and UndefinedBehaviorSanitizer),
#      in which the unit tests (label "unit", with a throwaway PostgreSQL as in 3) and the
#      committed fuzz corpora (label "fuzz", fuzz/corpus/) run.
#
# usage: scripts/test.sh                    every stage
#        scripts/test.sh [ctest arguments]  setup, then only ctest in build/ with those arguments
#                                           (e.g. -R conformance), with a throwaway
#                                           PostgreSQL as in stage 3
# environment: BUILD_DIR (build/), CLANG_BUILD_DIR (build-clang/), JOBS (number of CPUs).
#
# ctest runs with --no-tests=error (a filter that selects nothing fails). A test that cannot run
# on this machine shows as Skipped in ctest's list (tests/ctest_unittest.py, GTEST_SKIP, the
# absent AWS recordings); after ctest, this script prints every skipped entry with its reason,
# and the known gaps (expected failures) the tests reported, from ctest's JUnit report, and
# closes with "ctest: P passed, F failed, S skipped". The last line names the stages that failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
clang_build="${CLANG_BUILD_DIR:-$root/build-clang}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
failed=()

stage() { printf '\n== %s\n' "$*"; }

# Runs ctest in $1 with the remaining arguments and reports skips and known gaps from its JUnit
# report. Returns ctest's status.
run_ctest() {
  local dir="$1"
  shift
  local junit="$dir/ctest-junit.xml"
  rm -f "$junit"
  local status=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error \
    --output-junit "$junit" --test-output-size-passed 65536 --test-output-truncation head \
    -j "$jobs" "$@" || status=$?
  if [ -f "$junit" ]; then
    python3 - "$junit" <<'EOF'
import re
import sys
import xml.etree.ElementTree as ET

skipped, gaps = [], []
root = ET.parse(sys.argv[1]).getroot()
for case in root.iter("testcase"):
    out = case.findtext("system-out") or ""
    gaps += [line for line in out.splitlines() if line.startswith("KNOWN GAP ")]
    if case.find("skipped") is None:
        continue
    lines = out.splitlines()
    reasons = [l for l in lines if l.startswith("SKIPPED")]
    for i, l in enumerate(lines):  # GoogleTest: "file:line: Skipped" then the message
        if re.search(r": Skipped$", l) and i + 1 < len(lines):
            reasons.append(lines[i + 1])
    skipped.append((case.get("name"), reasons or ["(no reason printed)"]))
if skipped:
    print(f"\nskipped entries ({len(skipped)}):")
    for name, reasons in skipped:
        print(f"  {name}")
        for r in reasons:
            print(f"      {r}")
if gaps:
    print(f"\nknown gaps ({len(gaps)}), expected failures:")
    for g in gaps:
        print(f"  {g}")
# ctest's own closing line is above; this one closes the run with the same counts.
total, failed = int(root.get("tests", 0)), int(root.get("failures", 0))
print(f"\nctest: {total - failed - len(skipped)} passed, {failed} failed, {len(skipped)} skipped")
EOF
  fi
  return "$status"
}

# run_ctest under a throwaway PostgreSQL (scripts/postgres.sh run), STATOR_TEST_POSTGRES set for
# the whole ctest run. Returns ctest's status, or 1 (saying so) when the server did not start.
run_ctest_with_postgres() {
  local started
  started="$(mktemp -u /tmp/stator-postgres-started-XXXXXX)"
  local status=0
  export -f run_ctest
  export jobs
  "$root/scripts/postgres.sh" run bash -c 'touch "$0" && run_ctest "$@"' "$started" "$@" ||
    status=$?
  if [ ! -e "$started" ]; then
    printf '\ntest.sh: the throwaway PostgreSQL did not start (scripts/postgres.sh): FAILED\n' >&2
    return 1
  fi
  rm -f "$started"
  return "$status"
}

stage "setup (build: $build)"
"$root/scripts/setup.sh"

if [ $# -gt 0 ]; then
  stage "ctest $*"
  run_ctest_with_postgres "$build" "$@"
  exit $?
fi

stage "format (clang-format, .clang-format)"
"$root/scripts/check_format.sh" || failed+=(format)

stage "ctest ($build, with a throwaway PostgreSQL)"
run_ctest_with_postgres "$build" || failed+=(ctest)

stage "clang: thread-safety analysis, ASan + UBSan ($clang_build)"
mkdir -p "$clang_build"
if CC=clang CXX=clang++ cmake -S "$root" -B "$clang_build" -DCMAKE_BUILD_TYPE=Debug \
     -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DSTATOR_SANITIZE=ON -DSTATOR_FUZZ=ON \
     -DSTATOR_BENCH=OFF >"$clang_build/cmake.log" 2>&1; then
  if cmake --build "$clang_build" -j "$jobs"; then
    # UBSan stops at the first finding (-fno-sanitize-recover); print its stack.
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
      run_ctest_with_postgres "$clang_build" -L "^(unit|fuzz)$" || failed+=(clang-tests)
  else
    failed+=(clang-build)
  fi
else
  cat "$clang_build/cmake.log" >&2
  failed+=(clang-configure)
fi

if [ ${#failed[@]} -ne 0 ]; then
  printf '\ntest.sh: FAILED stages: %s\n' "${failed[*]}"
  exit 1
fi
printf '\ntest.sh: every stage passed (format, ctest, clang)\n'
