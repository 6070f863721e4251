#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on a free private port; the server is removed afterwards.
# The command sees VTC_TEST_DATABASE_URL. Without PostgreSQL installed it fails in CI and is skipped loudly elsewhere.
# The test suite runs with fsync and synchronous_commit off (speed; nothing there measures durability).
# VTC_PG_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous_commit on): use it for benchmarks and for
# any test of durability, since an unsafe server acknowledges commits it can still lose.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ]; then
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL is not installed; CI needs it." >&2; exit 1; fi
  echo "!!! PostgreSQL is not installed: the PostgreSQL half of the suite is SKIPPED on this machine. !!!" >&2
  exit 0
fi
PGROOT=$(mktemp -d)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGROOT"
PGPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGROOT"; }
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U vtc --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
SAFETY="-c fsync=off -c synchronous_commit=off"
[ "${VTC_PG_DURABLE:-}" = "1" ] && SAFETY="-c fsync=on -c synchronous_commit=on"
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w -t 60 \
  -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 $SAFETY" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U vtc vtc_test
export VTC_TEST_DATABASE_URL="postgresql+psycopg://vtc@127.0.0.1:$PGPORT/vtc_test"
# The same database through the server's Unix socket (a server on the same machine: docs/performance.md)
export VTC_TEST_DATABASE_SOCKET_URL="postgresql+psycopg://vtc@/vtc_test?host=$PGROOT&port=$PGPORT"
echo "PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') on port $PGPORT ($SAFETY)"
"$@"
