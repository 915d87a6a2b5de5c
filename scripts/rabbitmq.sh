#!/usr/bin/env bash
# A throwaway RabbitMQ broker for the AMQP trigger tests: Debian's rabbitmq-server (scripts/setup.sh
# installs it), a node of its own (its name, Erlang cookie, port mapper, ports, database and logs
# all under DIR), no plugins. The machine's own rabbitmq service, if any, is not touched.
#
# usage: scripts/rabbitmq.sh start DIR [PORT]  starts a broker whose state is DIR (created when
#                                               missing; PORT: the AMQP port, else a free one, or
#                                               the one DIR's broker had), waits until it accepts
#                                               connections, prints its URL
#                                               (amqp://USER:PASS@HOST:PORT/VHOST) on stdout
#        scripts/rabbitmq.sh stop DIR          stops it; DIR is kept (start DIR again restarts it
#                                               on the same port, with its durable queues)
#        scripts/rabbitmq.sh remove DIR        stops it and removes DIR
# environment: RABBITMQ_USER, RABBITMQ_PASS (guest/guest), RABBITMQ_VHOST (/),
#              RABBITMQ_LISTEN (127.0.0.1; 0.0.0.0 for other hosts and containers).
# Exits 2 when rabbitmq-server is not installed, 1 when the broker does not start (its log is
# printed on stderr).
set -euo pipefail

rabbit_bin=/usr/lib/rabbitmq/bin
if [ ! -x "$rabbit_bin/rabbitmq-server" ]; then
  echo "rabbitmq.sh: rabbitmq-server is not installed (run scripts/setup.sh)" >&2
  exit 2
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Sets the environment rabbitmq-server, rabbitmqctl and epmd read for the node of DIR (each
# RABBITMQ_X set, as rabbitmq-env otherwise takes X from the environment: LOGS, NODENAME, ...).
node_env() {
  local dir="$1"
  # shellcheck disable=SC1091
  . "$dir/ports"
  export HOME="$dir" \
    RABBITMQ_NODENAME="stator-$node_id@localhost" \
    RABBITMQ_NODE_PORT="$amqp_port" \
    RABBITMQ_DIST_PORT="$dist_port" \
    ERL_EPMD_PORT="$epmd_port" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_LOGS="$dir/log/rabbit.log" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins-expand" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
}

start() {
  local dir="$1" port="${2:-}"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ ! -f "$dir/ports" ]; then
    {
      echo "node_id=$$$RANDOM"
      echo "amqp_port=${port:-$(free_port)}"
      echo "dist_port=$(free_port)"
      echo "epmd_port=$(free_port)"
    } >"$dir/ports"
  elif [ -n "$port" ]; then
    sed -i "s/^amqp_port=.*/amqp_port=$port/" "$dir/ports"
  fi
  node_env "$dir"
  local user="${RABBITMQ_USER:-guest}" pass="${RABBITMQ_PASS:-guest}" vhost="${RABBITMQ_VHOST:-/}"
  local listen="${RABBITMQ_LISTEN:-127.0.0.1}"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = $listen:$amqp_port
loopback_users = none
default_user = $user
default_pass = $pass
default_vhost = $vhost
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
EOF
  echo "[]." >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf"
  rm -f "$dir/rabbitmq.pid"
  setsid "$rabbit_bin/rabbitmq-server" >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/server.pid"
  local deadline=$((SECONDS + 60))
  until python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
    "$amqp_port" 2>/dev/null; do
    if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "rabbitmq.sh: the broker did not start; its output:" >&2
      cat "$dir/server.log" >&2
      stop "$dir"
      return 1
    fi
    sleep 0.2
  done
  local encoded
  encoded="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
    "$vhost")"
  echo "amqp://$user:$pass@127.0.0.1:$amqp_port/$encoded"
}

stop() {
  local dir="$1"
  [ -f "$dir/ports" ] || return 0
  node_env "$dir"
  local pid=""
  [ -f "$dir/server.pid" ] && pid="$(cat "$dir/server.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # The broker's process group (setsid): the start script, the Erlang VM and its helpers.
    kill -TERM -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 -- "-$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$dir/server.pid"
  # The node's own port mapper (ERL_EPMD_PORT), started by the VM as a daemon.
  epmd -kill >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start "$2" "${3:-}" ;;
  stop) stop "$2" ;;
  remove)
    stop "$2"
    rm -rf "$2"
    ;;
  *)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
