#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on 127.0.0.1 and TEST_DATABASE_URL set.
#
# Installs Debian's postgresql package when no server binaries are found (needs root and the
# Debian mirror), starts a fresh cluster in a temp dir on a free port, runs "$@", and always
# stops the cluster and removes it. When PostgreSQL cannot be had, the command still runs, with
# TEST_DATABASE_URL unset, and a loud notice says the PostgreSQL half was skipped; set
# RIPPLEDESK_REQUIRE_POSTGRES=1 (as CI does) to fail instead. RIPPLEDESK_PG_SERVER_OPTS adds
# server options ("-c name=value ..."); `make test` turns autovacuum off with it.
set -euo pipefail

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

skip() {
    local reason=$1
    shift
    echo "!! PostgreSQL unavailable ($reason): running without the PostgreSQL test pass" >&2
    if [ "${RIPPLEDESK_REQUIRE_POSTGRES:-0}" = "1" ]; then exit 1; fi
    exec "$@"
}

bindir=$(find_bin || true)
if [ -z "$bindir" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing PostgreSQL from Debian packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
        || true
    bindir=$(find_bin || true)
fi
if [ -z "$bindir" ]; then
    skip "no server binaries" "$@"
fi

run_as=()
owner=$(id -un)
if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    run_as=(runuser -u postgres --)
    owner=postgres
fi

workdir=$(mktemp -d /tmp/rippledesk-pg.XXXXXX)
chown "$owner" "$workdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
    "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres --auth=trust -E UTF8 \
    --no-locale >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; skip "initdb failed" "$@"; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${RIPPLEDESK_PG_SERVER_OPTS:-}" \
    start >/dev/null || { cat "$workdir/server.log" >&2; skip "server did not start" "$@"; }

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/rippledesk"
echo "== PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit $status
