#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks: Debian's postgresql (scripts/setup.sh
# installs it), a fresh cluster in a directory of its own, listening only on a Unix socket in
# that directory (no TCP port), trust authentication, a database named "stator".
#
# usage: scripts/postgres.sh start DIR   creates DIR, starts the server, prints its connection
#                                        URI (for `stator serve --store URI`) on stdout
#        scripts/postgres.sh stop DIR    stops the server and removes DIR
#        scripts/postgres.sh run CMD...  starts one in a temporary directory, runs CMD with
#                                        STATOR_TEST_POSTGRES set to its URI, stops it (also when
#                                        CMD fails), and exits with CMD's status
# environment: POSTGRES_BIN (default: the newest /usr/lib/postgresql/*/bin),
#              POSTGRES_FSYNC=off to trade durability for speed (default on, as deployed).
# As root, the server runs as the 'postgres' user (PostgreSQL refuses to run as root).
set -euo pipefail

bin="${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres.sh: PostgreSQL's server is not installed (run scripts/setup.sh)" >&2
  exit 2
fi

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir="$1"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_server_user "$bin/initdb" -D "$dir/data" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  local port=5432
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port \
        -c fsync=${POSTGRES_FSYNC:-on} -c max_connections=200" >/dev/null ||
    { cat "$dir/server.log" >&2; return 1; }
  local user
  user="$(as_server_user id -un)"
  as_server_user "$bin/createdb" -h "$dir" -p "$port" stator
  echo "postgresql://$user@/stator?host=$dir&port=$port"
}

stop() {
  local dir="$1"
  if [ -d "$dir/data" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir="$(mktemp -d /tmp/stator-postgres-XXXXXX)"
    trap 'stop "$dir"' EXIT
    STATOR_TEST_POSTGRES="$(start "$dir")"
    export STATOR_TEST_POSTGRES
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
