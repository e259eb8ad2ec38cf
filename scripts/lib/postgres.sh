# Throwaway PostgreSQL for tests. Source this file, call pg_start, and pg_stop in a trap.
# pg_start exports FC_TEST_PG_URL (superuser URL; tests create their own databases) and
# PG_TEST_DIR. Extra postgresql.conf lines may be passed as arguments.

_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# shellcheck source=net.sh
source "$(dirname "${BASH_SOURCE[0]}")/net.sh"

pg_bin() {
  local b
  for b in /usr/lib/postgresql/15/bin "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /x/x)")"; do
    # `return 0`, not `return`: in an EXIT trap after a failure a bare return gives the failing
    # status, and pg_stop then left the server running.
    [ -x "$b/pg_ctl" ] && { echo "$b"; return 0; }
  done
  echo "PostgreSQL 15 binaries (pg_ctl, initdb) not found" >&2; return 1
}

pg_start() {
  local bin port
  bin=$(pg_bin) || return 1
  PG_TEST_DIR=$(mktemp -d /tmp/fc-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TEST_DIR"
  port=$(free_port)
  _pg_as_owner "$bin/initdb" -D "$PG_TEST_DIR/data" -A trust -U postgres --no-sync >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$PG_TEST_DIR'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "max_connections = 200"
    for line in "$@"; do echo "$line"; done
  } | _pg_as_owner tee -a "$PG_TEST_DIR/data/postgresql.conf" >/dev/null
  if ! _pg_as_owner "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 start >/dev/null; then
    echo "PostgreSQL failed to start; its log:" >&2; cat "$PG_TEST_DIR/server.log" >&2; return 1
  fi
  export PG_TEST_DIR PG_TEST_PORT=$port
  export FC_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "[postgres] test server on 127.0.0.1:$port ($PG_TEST_DIR)" >&2
}

pg_stop() {
  [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ] || return 0
  local bin; bin=$(pg_bin) || return 0
  _pg_as_owner "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
}
