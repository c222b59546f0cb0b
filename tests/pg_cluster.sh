#!/bin/sh
# pg_cluster.sh start|stop|pause|resume DIR - a throwaway PostgreSQL cluster for the tests,
# from Debian's server binaries (/usr/lib/postgresql/N/bin, the newest N).
#   start:  initdb in a new directory of $TMPDIR (owned by the postgres system user when run
#           as root, since postgres refuses to run as root), listening on 127.0.0.1 on the
#           first free port from 25432 (below the ephemeral ports) and on a socket in DIR;
#           role and database `httpcap` with a generated password, scram-sha-256 over TCP.
#           Writes DIR/env (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE, PG_BIN, PG_DATA,
#           PG_SOCK, PG_RUN; no password) and DIR/pgpass and DIR/password (mode 600).
#   pause:  stop the server (pg_ctl stop -m fast), keeping the data; resume: start it again.
#   stop:   stop the server and remove DIR.
# Exit status 3 when the server binaries are not installed (callers print "skipped").
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2; }

bin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bin=$d
done
if [ -z "$bin" ]; then
    [ "$cmd" = stop ] && { rm -rf "$dir"; exit 0; }
    echo "pg_cluster: no PostgreSQL server binaries (apt-get install postgresql)" >&2
    exit 3
fi

# Run a server binary as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# The first free port from 25432, below the kernel's ephemeral range (32768-60999 here):
# every test server and client gets its port from that range, and one could take 55432
# while test_pg_live has the server paused, which then cannot start again (a restart
# failed so in CI once, its log gone). From 55432 when the range starts lower.
free_port() {
    python3 -c '
import socket
low = 32768
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    pass
first = 25432 if low >= 25532 else 55432
for p in range(first, first + 100):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
'
}

# Start the server; up to three tries, since a start on a loaded machine (the sanitizer
# pass, a capture reconnecting) once failed in CI with no word of why: each failure
# prints the end of the server's log.
server_start() {
    . "$dir/env"
    for try in 1 2 3; do
        if as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_RUN/server.log" -w -t 30 \
            -o "-p $PGPORT -k $PG_SOCK -c listen_addresses=127.0.0.1" start >/dev/null; then
            return 0
        fi
        echo "pg_cluster: start $try of 3 failed; the server log ends with:" >&2
        tail -n 5 "$PG_RUN/server.log" >&2 2>/dev/null || true
        [ "$try" = 3 ] || sleep 2
    done
    return 1
}

start() {
    mkdir -p "$dir"
    run=$(mktemp -d "${TMPDIR:-/tmp}/httpcap-pg.XXXXXX")
    mkdir "$run/data" "$run/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres "$run"
    pw=$(od -An -tx1 -N18 /dev/urandom | tr -d ' \n')
    port=$(free_port)
    if ! as_owner "$bin/initdb" -D "$run/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$run"
        exit 1
    fi
    umask 077
    cat >"$dir/env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=httpcap
PGDATABASE=httpcap
PGPASSFILE=$dir/pgpass
PG_BIN=$bin
PG_DATA=$run/data
PG_SOCK=$run/sock
PG_RUN=$run
ENV
    echo "127.0.0.1:$port:*:httpcap:$pw" >"$dir/pgpass"
    printf '%s\n' "$pw" >"$dir/password"
    umask 022
    chmod 644 "$dir/env"
    server_start
    as_owner "$bin/psql" -q -X -h "$run/sock" -p "$port" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE httpcap LOGIN CREATEDB PASSWORD '$pw';
CREATE DATABASE httpcap OWNER httpcap;
SQL
    echo "pg_cluster: PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port ($dir)"
}

case "$cmd" in
    start) start ;;
    pause) . "$dir/env"; as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null ;;
    resume) server_start ;;
    stop)
        if [ -f "$dir/env" ]; then
            . "$dir/env"
            as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
            case "$PG_RUN" in */httpcap-pg.*) rm -rf "$PG_RUN" ;; esac
        fi
        rm -rf "$dir"
        ;;
    *) echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2 ;;
esac
