#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what is missing, build stator, then run
# the apartment-booking app (examples/apartment-booking) end to end: start `stator serve` with
# the embedded store and virtual time, `stator deploy` its SAM template (a DynamoDB table, a
# Python function, a state machine), seed apartments, invoke the function for a booking that is
# paid, one that is not (reverted after the 60 s Wait) and one for an apartment that does not
# exist (Fail through the Catch), print how each execution ended and the items, stop the server.
#
# The CLI-only example of the engine (`stator run`, no server) is examples/order:
#   build/stator run -f examples/order/definition.json --input-file examples/order/input.json \
#     --time-scale 0 --task-command ReserveStock=examples/order/reserve_stock.py
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" stator
STATOR="$build/stator" exec "$root/examples/apartment-booking/run.sh"
