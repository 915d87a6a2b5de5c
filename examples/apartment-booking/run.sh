#!/usr/bin/env bash
# The apartment-booking example end to end on a fresh, throw-away stator server:
#   start `stator serve` on a free port with virtual time (Waits pass instantly) and a temporary
#   data dir, `stator deploy` the SAM template, then demo.py seeds apartments, books for three
#   customers through the GraphQL mutation (paid in time, not paid, no such apartment) and prints
#   how each execution ended and what the table holds. Stops the server at the end, also on failure.
#
# usage: examples/apartment-booking/run.sh        (stator binary: $STATOR, else build/stator)
# Needs python3 with boto3. Exit status: 0 when all three bookings end as expected.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
stator="${STATOR:-$root/build/stator}"
if [ ! -x "$stator" ]; then
  echo "run.sh: no stator binary at $stator (build it, or set STATOR=path/to/stator)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/apartment-booking.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$stator" serve --port 0 --time-scale 0 --data-dir "$work/data" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
endpoint=""
for _ in $(seq 1 200); do
  line="$(head -n 1 "$work/server.out" 2>/dev/null || true)"
  if [[ "$line" == "stator listening on "* ]]; then
    endpoint="${line#stator listening on }"
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.05
done
if [ -z "$endpoint" ]; then
  echo "run.sh: the server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
fi
echo "== stator serve --time-scale 0 is listening on $endpoint"
echo

"$stator" deploy "$here/template.yaml" --stack-name apartment-booking --endpoint "$endpoint" \
  | tee "$work/deploy.out"
output() { sed -n "s/^  $1 = //p" "$work/deploy.out"; }
graphql_url="$(output BookingGraphQLUrl)"
api_key="$(output BookingGraphQLApiKey)"
table_name="$(output ApartmentsTableName)"
echo

status=0
python3 "$here/demo.py" --endpoint "$endpoint" --graphql-url "$graphql_url" --api-key "$api_key" \
  --table "$table_name" || status=$?

echo
echo "== stopping the server"
exit $status
