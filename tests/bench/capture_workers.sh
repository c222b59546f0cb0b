#!/bin/sh
# capture_workers.sh [SECONDS] [CONNECTIONS...] - `httpcap capture --workers 1` against
# `--workers 2` under the same load on loopback.
#
# Two loads, each run with 1 then 2 workers, CW_ROUNDS times (default 2):
# - wrk (default): nginx on 127.0.0.1:PORT (a free port, a temp dir, a 100-byte file), wrk
#   with 2 threads and CONNECTIONS keep-alive connections (default: 64 256) doing GET
#   /load.txt for SECONDS (default 10), captured with -f 'tcp port PORT';
# - replay (CW_REPLAY=FILE): tcpreplay --topspeed of the capture FILE onto lo (e.g. what
#   `build/tests/genbench F --profile heavy --bytes 300M` writes), captured with
#   -f "$CW_FILTER" (default 'tcp').
# The capture starts before the load and is stopped with SIGINT 1 s after it; just before,
# the CPU time of each of its threads is read from /proc (the worker threads are named
# "httpcap wN", the SQLite thread "httpcap writer").
# One row per run: workers, connections (- for a replay), each worker's --buffer, what the
# load sent (wrk's completed requests, or tcpreplay's packets) and its rate (req/s or
# packets/s), the transactions stored (readiness probes excluded), packets captured,
# kernel drops, CPU seconds of each worker thread and of the writer thread, and each
# worker's packets/transactions/drops (table capture_workers).
#
# CW_TOTAL_BUFFER=MiB: the same total kernel buffer for both: W workers get MiB/W each
# (default: 64 MiB per worker, httpcap's default). A small total shows drops sooner.
# The load, nginx and httpcap share the machine's cores: on a 2-core machine a second
# worker competes with the load generator for the same two cores.
#
# Needs root (capture on lo), sqlite3, python3, and nginx, wrk and curl (wrk load) or
# tcpreplay (replay). Env: HTTPCAP (default ./httpcap of this repository), CW_ROUNDS,
# CW_TOTAL_BUFFER, CW_REPLAY, CW_FILTER, CW_KEEP=DIR (keep the databases and logs).
# Exit status: 0 when every run completed, 1 on a failed run, 77 when a prerequisite is
# missing.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
HTTPCAP=${HTTPCAP:-$here/httpcap}
secs=${1:-10}
[ $# -ge 1 ] && shift
conns_list=${*:-64 256}
rounds=${CW_ROUNDS:-2}
replay=${CW_REPLAY:-}

if [ "$(id -u)" != 0 ]; then
    echo "skipped: capture_workers.sh needs root (live capture on lo)"
    exit 77
fi
needs="sqlite3 python3 nginx wrk curl"
[ -n "$replay" ] && needs="sqlite3 python3 tcpreplay"
for c in $needs; do
    command -v "$c" >/dev/null 2>&1 || { echo "skipped: capture_workers.sh: $c not found"; exit 77; }
done
[ -x "$HTTPCAP" ] || { echo "capture_workers.sh: $HTTPCAP not built (make)" >&2; exit 1; }
[ -z "$replay" ] || [ -r "$replay" ] || { echo "capture_workers.sh: $replay: cannot read" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"    # nginx workers run unprivileged and read www/ from here
ngx_pid='' cap_pid=''
cleanup() {
    for p in $cap_pid $ngx_pid; do
        kill "$p" 2>/dev/null || true
    done
    [ -n "$ngx_pid" ] && wait "$ngx_pid" 2>/dev/null
    if [ -n "${CW_KEEP:-}" ]; then
        mkdir -p "$CW_KEEP" && cp -r "$tmp"/. "$CW_KEEP"/
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
if [ -n "$replay" ]; then
    filter=${CW_FILTER:-tcp}
    conns_list=-
    echo "# lo, $(nproc) CPUs (${model:-unknown}), tcpreplay --topspeed ${replay##*/}, -f '$filter'"
else
    # shellcheck source=tests/bench/nginx.sh
    . "$here/tests/bench/nginx.sh"
    port=$(free_port) || exit 1
    mkdir -p "$tmp/www"
    head -c 100 /dev/zero | tr '\0' 'x' > "$tmp/www/load.txt"
    chmod -R a+rX "$tmp/www"
    nginx_start "$tmp" "$port" load.txt "    keepalive_requests 1000000;" || exit 1
    url=http://127.0.0.1:$port
    filter="tcp port $port"
    echo "# lo, $(nproc) CPUs (${model:-unknown}), wrk -t 2 for ${secs} s, 100-byte GET /load.txt"
fi
fmt='%-2s %5s %6s %9s %9s %8s %8s %7s  %-22s %s\n'
# shellcheck disable=SC2059
printf "$fmt" W conns buffer sent rate stored packets k-drops "cpu-s (workers; writer)" \
    per-worker
runs=0 failed=0

# Until the capture stores a probe request (wrk) or for a second (replay); 1 if it exits.
wait_ready() {
    n=0
    while [ -n "$replay" ] || ! [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM
            transactions WHERE uri LIKE '/ready-%'" 2>/dev/null)" -gt 0 ] 2>/dev/null; do
        n=$((n + 1))
        [ -n "$replay" ] || curl -s -o /dev/null "$url/ready-$n" || true
        sleep 0.1
        [ -n "$replay" ] && [ $n -ge 10 ] && return 0
        kill -0 "$cap_pid" 2>/dev/null && [ $n -lt 50 ] && continue
        echo "capture_workers.sh: run $runs: the capture did not become ready" >&2
        head -n 5 "$tmp/run$runs.err" >&2
        return 1
    done
}

# The load: sets sent and rate.
load() {
    if [ -n "$replay" ]; then
        tcpreplay -i lo --topspeed "$replay" >"$tmp/run$runs.load" 2>&1
        sent=$(sed -nE 's/^ *Actual: ([0-9]+) packets.*/\1/p' "$tmp/run$runs.load")
        rate=$(sed -nE 's/.* ([0-9.]+) pps.*/\1/p' "$tmp/run$runs.load" | head -n 1)
    else
        wrk -t 2 -c "$1" -d "${secs}s" "$url/load.txt" >"$tmp/run$runs.load" 2>&1
        sent=$(sed -nE 's/^ *([0-9]+) requests in .*/\1/p' "$tmp/run$runs.load")
        rate=$(sed -nE 's/^Requests\/sec: *([0-9.]+).*/\1/p' "$tmp/run$runs.load")
    fi
}

# CPU seconds of each thread of process $1: workers first, then the writer.
thread_cpu() {
    for t in /proc/"$1"/task/*; do
        printf '%s %s\n' "$(cat "$t/comm")" "$(awk '{ printf "%.2f", ($14 + $15) / 100 }' "$t/stat")"
    done | sort | awk '/ w[0-9]/ { w = w sep $NF; sep = " " } / writer/ { wr = $NF }
                       END { printf "%s; %s", w, wr }'
}

# run WORKERS CONNS
run() {
    w=$1 c=$2
    runs=$((runs + 1))
    db=$tmp/run$runs.db
    buf=64
    [ -n "${CW_TOTAL_BUFFER:-}" ] && buf=$((CW_TOTAL_BUFFER / w))
    [ "$buf" -ge 1 ] || buf=1
    "$HTTPCAP" capture -i lo -o "$db" -f "$filter" --workers "$w" --buffer "$buf" -q \
        >/dev/null 2>"$tmp/run$runs.err" &
    cap_pid=$!
    if ! wait_ready; then
        kill "$cap_pid" 2>/dev/null
        wait "$cap_pid"
        cap_pid=''
        failed=$((failed + 1))
        return 1
    fi
    load "$c"
    sleep 1
    cpu=$(thread_cpu "$cap_pid")
    kill -INT "$cap_pid"
    wait "$cap_pid"
    cap_rc=$?
    cap_pid=''
    row=$(sqlite3 -separator ' ' "$db" "
        SELECT (SELECT count(*) FROM transactions WHERE uri IS NULL OR uri NOT LIKE '/ready-%'),
               packets, kernel_drops,
               (SELECT group_concat('w' || worker || ' ' || packets || '/' || transactions
                                    || '/' || kernel_drops, ' ')
                FROM (SELECT * FROM capture_workers ORDER BY worker))
        FROM captures")
    # shellcheck disable=SC2086 # split the row into its fields
    set -- $row
    stored=${1:-?} packets=${2:-?} kdrops=${3:-?}
    [ $# -ge 3 ] && shift 3
    # shellcheck disable=SC2059
    printf "$fmt" "$w" "$c" "$buf" "${sent:-?}" "${rate:-?}" "$stored" "$packets" "$kdrops" \
        "$cpu" "$*"
    if [ "$cap_rc" -ne 0 ] || [ -z "$sent" ]; then
        echo "capture_workers.sh: run $runs failed: httpcap exit $cap_rc" >&2
        head -n 5 "$tmp/run$runs.err" "$tmp/run$runs.load" >&2
        failed=$((failed + 1))
        return 1
    fi
    return 0
}

for c in $conns_list; do
    r=0
    while [ $r -lt "$rounds" ]; do
        run 1 "$c"
        run 2 "$c"
        r=$((r + 1))
    done
done
[ "$failed" -eq 0 ]
