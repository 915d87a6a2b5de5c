#!/usr/bin/env bash
# The full test suite: set up (install what is missing, build everything), then run every test
# registered with CTest (unit tests, CLI tests, the conformance suites, the API tests).
#
# usage: scripts/test.sh [extra ctest arguments, e.g. -R conformance]
#
# ctest runs with --no-tests=error (a filter that selects nothing fails). A test that cannot run
# on this machine shows as Skipped in ctest's list (tests/ctest_unittest.py, GTEST_SKIP, the
# absent AWS recordings); after ctest, this script prints every skipped entry with its reason,
# and the known gaps (expected failures) the tests reported, from ctest's JUnit report, and
# closes with "ctest: P passed, F failed, S skipped".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
junit="$build/ctest-junit.xml"
rm -f "$junit"
status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error \
  --output-junit "$junit" --test-output-size-passed 65536 --test-output-truncation head \
  -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}" "$@" || status=$?
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
exit "$status"
