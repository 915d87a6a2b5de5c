#!/bin/bash
# Runs KNIX's own tests (tests/<folder>/test.py, with KNIX's SDK from the same checkout) against
# a local `stator serve`, and prints per folder how many cases KNIX's harness reported PASSED
# and FAILED (its exec_tests prints them instead of asserting). Not part of the test suite: it
# needs a checkout of knix-microfunctions/knix, which is not ours to ship.
#
# usage: scripts/knix-upstream-tests.sh KNIX_CHECKOUT [FOLDER...]
#   environment: STATOR (default build/stator), PORT (default 18790), LOGS (default /tmp),
#                STATOR_ARGS (more `stator serve` options; KNIX's dynamic_parallel_execution_groups
#                runs ~30 reducer session functions at once: --function-concurrency 64)
set -u
knix="${1:?usage: $0 KNIX_CHECKOUT [FOLDER...]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
stator="${STATOR:-$root/build/stator}"
port="${PORT:-18790}"
logs="${LOGS:-/tmp}"
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  # The pure input/output folders of shared/design/knix-protocol.md §4, and the ones that need
  # KNIX's extensions (part 2) to show where they stand.
  folders=(asl_Catch asl_Choice asl_Context asl_Fail asl_InputPath_ResultPath_OutputPath
           asl_Loop_Iteration asl_Map asl_Parallel asl_Parameters asl_Parameters_Task asl_Pass
           asl_Retry asl_State_Names_with_Special_Chars asl_Succeed asl_Task_Chain asl_Wait
           asl_Wait_Path helloworld echo asynchronous_execution state_resource_name_decoupling
           relative_filepaths workflow_error_handling dynamic_parallel_execution_groups
           storage_actions import_error)
fi
# shellcheck disable=SC2086
"$stator" serve --port "$port" ${STATOR_ARGS:-} >"$logs/knix-upstream-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
cat >"$knix/tests/settings.json" <<JSON
{"mfn_url": "http://127.0.0.1:$port", "mfn_user": "knix-tests@example.com", "mfn_password": "pw",
 "mfn_name": "KNIX tests", "proxies": {}, "timeout": 60}
JSON
for t in "${folders[@]}"; do
  out="$logs/knix-upstream-$t.log"
  (cd "$knix/tests/$t" && PYTHONPATH=../../mfn_sdk:.. timeout 600 python3 -m unittest discover -v \
     >"$out" 2>&1)
  rc=$?
  echo "$t: unittest rc=$rc, PASSED $(grep -ac PASSED "$out"), FAILED $(grep -ac FAILED "$out") ($out)"
done
