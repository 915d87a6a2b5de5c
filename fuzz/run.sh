#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60).
#
# usage: fuzz/run.sh [SECONDS] [TARGET...]
#   TARGET: definition_fuzz jsonpath_fuzz intrinsics_fuzz json_parse_fuzz (default: all)
# environment:
#   FUZZ_BUILD_DIR  build directory (default: <repo>/build-fuzz)
#   FUZZ_WORK_DIR   corpora, crash artifacts and logs (default: $FUZZ_BUILD_DIR/work); the corpus
#                   grows across runs, seeds are regenerated from the conformance cases each time
#   FUZZ_ARGS       extra libFuzzer flags, e.g. "-max_len=65536"
#   FUZZ_KEEP_GOING=1  go on after a crash (libFuzzer fork mode, -ignore_crashes=1), so one
#                   known bug does not hide the next
#   FUZZ_CASES      the conformance cases to seed from (default: <repo>/../shared/conformance/cases.json)
# Exit status: 0 when no target found anything, 1 otherwise (the summary lists the artifacts).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(definition_fuzz jsonpath_fuzz intrinsics_fuzz json_parse_fuzz)
fi
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
work="${FUZZ_WORK_DIR:-$build/work}"

mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTATOR_FUZZ=ON -DSTATOR_BENCH=OFF >"$build/cmake.log" 2>&1 ||
  { cat "$build/cmake.log"; exit 2; }
make -C "$build" -j"$(nproc)" "${targets[@]}" >/dev/null

rm -rf "$work/seeds"
python3 "$here/make_seeds.py" "$work/seeds" --cases "${FUZZ_CASES:-$root/../shared/conformance/cases.json}"
extra=()
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
  extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

declare -A dict=([definition_fuzz]=asl.dict [jsonpath_fuzz]=jsonpath.dict
                 [intrinsics_fuzz]=intrinsics.dict [json_parse_fuzz]=json.dict)
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
stamp="$(date +%Y%m%d-%H%M%S)"
failed=()
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t/$stamp"
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${seconds}s (log: $work/$t.log)"
  set +e
  # shellcheck disable=SC2086
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" -dict="$here/${dict[$t]}" \
    "${extra[@]}" ${FUZZ_ARGS:-} "$corpus" "$work/seeds/$t" >"$work/$t.log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+ +DONE" "$work/$t.log" || true
  if [ $rc -ne 0 ] || [ -n "$(ls -A "$artifacts")" ]; then
    failed+=("$t")
    echo "!! $t exited $rc; artifacts:"
    ls -1 "$artifacts"
    grep -m1 -E "ERROR: (AddressSanitizer|libFuzzer)|runtime error|FUZZ_CHECK" "$work/$t.log" || true
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "findings in: ${failed[*]} (reproduce: $build/fuzz/<target> <artifact>)"
  exit 1
fi
echo "no findings"
