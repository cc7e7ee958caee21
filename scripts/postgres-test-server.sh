#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks: a fresh cluster in a temporary folder, listening
# on 127.0.0.1 only, deleted again by `stop`. Nothing else on the machine is touched.
#
#   dir=$(scripts/postgres-test-server.sh start)     # prints the cluster's folder
#   export ORCH_TEST_POSTGRES_URL=$(scripts/postgres-test-server.sh url "$dir")
#   scripts/postgres-test-server.sh stop "$dir"      # stops the server and deletes the folder
#
# initdb refuses to run as root (CI runs as root), so as root the cluster belongs to an unprivileged
# user — `postgres` when Debian's package created it, else `nobody` — and every server command runs
# as that user. As a normal user it simply runs as you. Durability is switched off (fsync,
# synchronous_commit): the data is thrown away, and tests should measure orch, not the disk.
#
# Binaries: $PG_BIN when set, else the newest /usr/lib/postgresql/<version>/bin (Debian), else PATH.
set -euo pipefail

usage() {
  echo "usage: $0 start | url <dir> | stop <dir>" >&2
  exit 2
}

postgres_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  local initdb
  initdb=$(command -v initdb || true)
  if [ -n "$initdb" ]; then dirname "$initdb"; return; fi
  echo "PostgreSQL is not installed: install Debian's 'postgresql' package (apt-get install postgresql) or set PG_BIN" >&2
  exit 1
}

# Runs a command as the cluster's owner: as root through runuser, else as the caller.
as_owner() {
  local owner=$1
  shift
  if [ "$(id -u)" = "0" ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

cluster_owner() {
  if [ "$(id -u)" != "0" ]; then id -un; return; fi
  if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

free_port() {
  node -e 'const server = require("node:net").createServer(); server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });'
}

start() {
  local bin owner dir port
  bin=$(postgres_bin)
  owner=$(cluster_owner)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/orch-postgres-XXXXXX")
  # The owner must reach its data folder through this one; the folder holds nothing secret.
  chmod 755 "$dir"
  # data: the cluster; run: its socket and log. Both belong to the owner, who writes there.
  mkdir "$dir/data" "$dir/run"
  if [ "$(id -u)" = "0" ]; then chown "$owner" "$dir/data" "$dir/run"; fi
  # The server's working directory must be readable by its owner (root's home is not).
  cd "$dir"
  if ! as_owner "$owner" "$bin/initdb" -D "$dir/data" -U orch -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  # A port picked free can be taken before the server binds it: try a few.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$owner" "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null; then
      echo "postgres://orch@127.0.0.1:$port/postgres" >"$dir/url"
      echo "$owner" >"$dir/owner"
      echo "$dir"
      return
    fi
    echo "PostgreSQL did not start on port $port (attempt $attempt):" >&2
    tail -n 5 "$dir/run/server.log" >&2 || true
  done
  rm -rf "$dir"
  exit 1
}

check_dir() {
  [ -n "${1:-}" ] && [ -f "$1/url" ] || { echo "not a cluster folder made by '$0 start': ${1:-<none>}" >&2; exit 2; }
}

stop() {
  check_dir "${1:-}"
  local dir=$1 bin
  bin=$(postgres_bin)
  cd "$dir"
  as_owner "$(cat "$dir/owner")" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  url) check_dir "${2:-}"; cat "$2/url" ;;
  stop) stop "${2:-}" ;;
  *) usage ;;
esac
