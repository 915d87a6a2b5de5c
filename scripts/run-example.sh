#!/usr/bin/env bash
# From a fresh Debian 12 machine: install what is missing, build stator, and run the bundled
# example workflow (examples/order) with `stator run`, printing its result.
#
# The example uses Choice, Map, Parallel, Pass, a 60-second Wait and a Task with Retry and Catch
# served by examples/order/reserve_stock.py (--task-command). It runs under virtual time
# (--time-scale 0): the Wait and the retry back-off pass instantly, the history still shows them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" stator

ex="$root/examples/order"
cmd=("$build/stator" run -f "$ex/definition.json" --input-file "$ex/input.json"
     --state-machine-name OrderWorkflow --time-scale 0
     --task-command "ReserveStock=$ex/reserve_stock.py")

echo "\$ stator run -f examples/order/definition.json --input-file examples/order/input.json \\"
echo "    --state-machine-name OrderWorkflow --time-scale 0 \\"
echo "    --task-command ReserveStock=examples/order/reserve_stock.py"
"${cmd[@]}"

# The same run as one JSON object with its history, summarised.
"${cmd[@]}" --json --history | python3 -c '
import json, sys
r = json.load(sys.stdin)
ev = r["events"]
span = ev[-1]["timestamp"] - ev[0]["timestamp"]
retried = sum(1 for e in ev if e["type"] == "LambdaFunctionFailed")
status = r["status"]
print(f"{status}: {len(ev)} history events over {span:.1f} s of virtual time "
      f"(ReserveStock failed {retried} time(s) and was retried; a 60 s Wait)")
'
