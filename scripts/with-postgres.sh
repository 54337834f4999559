#!/usr/bin/env bash
# Runs a command against a private, throw-away PostgreSQL server:
#
#   scripts/with-postgres.sh build/debug/src/store/vigil_store_test --gtest_filter='Postgres*'
#
# It creates a cluster in a fresh temporary folder (initdb, trust authentication, superuser
# "vigil"), starts it on 127.0.0.1 at a free port with its socket in that folder (no system service,
# no fixed port, fsync off: the data is thrown away), exports
#   VIGIL_TEST_PG="host=127.0.0.1 port=<port> user=vigil dbname=postgres"
# runs the command, then stops the server and deletes the folder, whatever happened. The exit status
# is the command's. Needs the PostgreSQL server binaries (Debian: postgresql; scripts/install-deps.sh).
# initdb refuses to run as root, so as root the server runs as the "postgres" (else "nobody") user.
set -uo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]] && bindir="$candidate"  # the last is the newest
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v initdb)")"
fi
if [[ -z "$bindir" ]]; then
  echo "with-postgres: PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin" >&2
  echo "with-postgres: or on PATH; install them with scripts/install-deps.sh (Debian package postgresql)" >&2
  exit 1
fi

as_owner=()
if [[ "$(id -u)" -eq 0 ]]; then
  owner=nobody
  id -u postgres >/dev/null 2>&1 && owner=postgres
  if ! command -v runuser >/dev/null 2>&1; then
    echo "with-postgres: running as root needs runuser (util-linux) to start PostgreSQL as $owner" >&2
    exit 1
  fi
  as_owner=(runuser -u "$owner" --)
fi

# As root the folder must be reachable by the server's user, which a private TMPDIR may not be.
tmp="${TMPDIR:-/tmp}"
[[ ${#as_owner[@]} -gt 0 ]] && tmp=/tmp
dir="$(mktemp -d "$tmp/vigil-pg-XXXXXX")" || exit 1
started=0
cleanup() {
  if [[ $started -eq 1 ]]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ ${#as_owner[@]} -gt 0 ]] && chown "$owner" "$dir"

if ! "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U vigil -E UTF8 --locale=C \
  >"$dir/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    2>/dev/null || echo $((20000 + RANDOM % 40000))
}

# Another process may take the port between the probe and the start: try a few.
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [[ $started -ne 1 ]]; then
  echo "with-postgres: the PostgreSQL server did not start:" >&2
  tail -n 20 "$dir/server.log" >&2 2>/dev/null
  exit 1
fi

export VIGIL_TEST_PG="host=127.0.0.1 port=$port user=vigil dbname=postgres"
"$@"
exit $?
