# Throwaway servers for the recovery probes. Source this file (after scripts/lib/postgres.sh,
# which provides free_port, pg_bin and _pg_as_owner), call recovery_servers_start, and
# recovery_servers_stop in a trap.
#
# Starts:
#   - a PostgreSQL 15 primary with archive_mode=on and an archive_command copying WAL into a
#     temp folder, plus a streaming standby made by pg_basebackup -R;
#   - Debian redis-server with a password, RDB save points on, AOF off.
# Exports FC_TEST_ARCHIVE_PG_URL (superuser: the tests break archiving on purpose),
# FC_TEST_ARCHIVE_DIR, FC_TEST_REDIS_URL (redis://:PASSWORD@127.0.0.1:PORT) and, when the
# standby started, FC_TEST_STANDBY_PG_URL.

recovery_servers_start() {
  local bin port sport rport
  bin=$(pg_bin) || return 1
  RECOVERY_TEST_DIR=$(mktemp -d /tmp/fc-recovery.XXXXXX)
  export RECOVERY_TEST_DIR
  mkdir -p "$RECOVERY_TEST_DIR/archive" "$RECOVERY_TEST_DIR/redis"
  [ "$(id -u)" = 0 ] && chown postgres: "$RECOVERY_TEST_DIR" "$RECOVERY_TEST_DIR/archive"
  port=$(free_port)
  _pg_as_owner "$bin/initdb" -D "$RECOVERY_TEST_DIR/primary" -A trust -U postgres --no-sync >/dev/null || return 1
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$RECOVERY_TEST_DIR'"
    echo "fsync = off"
    echo "max_connections = 50"
    echo "wal_level = replica"
    echo "archive_mode = on"
    echo "archive_command = 'test ! -f $RECOVERY_TEST_DIR/archive/%f && cp %p $RECOVERY_TEST_DIR/archive/%f'"
  } | _pg_as_owner tee -a "$RECOVERY_TEST_DIR/primary/postgresql.conf" >/dev/null
  if ! _pg_as_owner "$bin/pg_ctl" -D "$RECOVERY_TEST_DIR/primary" -l "$RECOVERY_TEST_DIR/primary.log" -w -t 60 start >/dev/null; then
    echo "archiving PostgreSQL failed to start; its log:" >&2; cat "$RECOVERY_TEST_DIR/primary.log" >&2; return 1
  fi
  export FC_TEST_ARCHIVE_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export FC_TEST_ARCHIVE_DIR="$RECOVERY_TEST_DIR/archive"
  echo "[recovery] archiving PostgreSQL on 127.0.0.1:$port (WAL archive $FC_TEST_ARCHIVE_DIR)" >&2

  # The streaming standby: the replication tests fail, naming it, when it does not start.
  sport=$(free_port)
  if _pg_as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$RECOVERY_TEST_DIR/standby" -R -X stream --no-sync >/dev/null 2>&1; then
    {
      echo "port = $sport"
      echo "archive_mode = off"
      echo "primary_conninfo = 'host=127.0.0.1 port=$port user=postgres application_name=fc_standby'"
    } | _pg_as_owner tee -a "$RECOVERY_TEST_DIR/standby/postgresql.conf" >/dev/null
    if _pg_as_owner "$bin/pg_ctl" -D "$RECOVERY_TEST_DIR/standby" -l "$RECOVERY_TEST_DIR/standby.log" -w -t 60 start >/dev/null; then
      export FC_TEST_STANDBY_PG_URL="postgres://postgres@127.0.0.1:$sport/postgres"
      echo "[recovery] streaming standby on 127.0.0.1:$sport" >&2
    else
      echo "[recovery] standby did not start (the replication tests will fail); log:" >&2
      tail -n 20 "$RECOVERY_TEST_DIR/standby.log" >&2
    fi
  else
    echo "[recovery] pg_basebackup failed: no standby (the replication tests will fail)" >&2
  fi

  command -v redis-server >/dev/null || { echo "redis-server not found (scripts/setup.sh installs it)" >&2; return 1; }
  rport=$(free_port)
  RECOVERY_REDIS_PASSWORD="fc-test-$(date +%s)"
  redis-server --bind 127.0.0.1 --port "$rport" --dir "$RECOVERY_TEST_DIR/redis" \
    --requirepass "$RECOVERY_REDIS_PASSWORD" --save "3600 1" --appendonly no \
    --daemonize yes --pidfile "$RECOVERY_TEST_DIR/redis/redis.pid" \
    --logfile "$RECOVERY_TEST_DIR/redis/redis.log" || return 1
  local i
  for i in $(seq 50); do
    redis-cli -p "$rport" -a "$RECOVERY_REDIS_PASSWORD" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  export RECOVERY_REDIS_PORT=$rport RECOVERY_REDIS_PASSWORD
  export FC_TEST_REDIS_URL="redis://:$RECOVERY_REDIS_PASSWORD@127.0.0.1:$rport"
  echo "[recovery] redis-server on 127.0.0.1:$rport" >&2
}

recovery_servers_stop() {
  [ -n "${RECOVERY_TEST_DIR:-}" ] && [ -d "$RECOVERY_TEST_DIR" ] || return 0
  local bin d pid
  if bin=$(pg_bin); then
    for d in standby primary; do
      [ -d "$RECOVERY_TEST_DIR/$d" ] && _pg_as_owner "$bin/pg_ctl" -D "$RECOVERY_TEST_DIR/$d" -m immediate -w stop >/dev/null 2>&1
    done
  fi
  # SHUTDOWN NOSAVE: on a plain SIGTERM Redis first saves its RDB, and if that save fails
  # (a test may have broken persistence) it refuses to exit.
  if [ -n "${RECOVERY_REDIS_PORT:-}" ]; then
    redis-cli -p "$RECOVERY_REDIS_PORT" -a "${RECOVERY_REDIS_PASSWORD:-}" --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
  fi
  if [ -f "$RECOVERY_TEST_DIR/redis/redis.pid" ]; then
    pid=$(cat "$RECOVERY_TEST_DIR/redis/redis.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$RECOVERY_TEST_DIR"
  unset RECOVERY_TEST_DIR
  return 0
}
