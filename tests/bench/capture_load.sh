#!/bin/sh
# capture_load.sh [SECONDS] [CONNECTIONS] [RATE...] - load test of `httpcap capture`.
#
# Starts nginx on 127.0.0.1:PORT (a free port, a temp dir, a 100-byte static file), captures
# loopback with `httpcap capture -i lo -f 'tcp port PORT'` and drives nginx with wrk (keep-alive,
# GET /load.txt) for SECONDS (default 10). Prints one table row per run: the connections and
# threads wrk used, the rate asked, the requests wrk completed (its "N requests in" line), the
# transactions httpcap stored (sqlite3 count, readiness probes excluded), how many of them are
# not a 200 with the 100-byte body, the kernel and interface drops (table captures), wrk's
# achieved req/s and how long the capture ran (finished_ns - started_ns).
#
# CONNECTIONS: a number, or `auto` (the default): short runs (LOAD_SEARCH_SECONDS, default 2)
#   at an unlimited rate with 1, 2, 4, 8, ... connections up to LOAD_MAX_CONNECTIONS (default
#   256), stopping at the first run with kernel drops; the zero-drop run with the highest
#   achieved req/s picks the connections of the SECONDS runs ("search" rows, then "test").
# RATE: requests per second asked of all connections together, or `unlimited` (the default).
#   wrk has no rate option: a rate is approached with a Lua delay() between a connection's
#   requests (CONNECTIONS * 1000 / RATE ms on average), so it is a ceiling, not a promise;
#   compare with the achieved req/s column.
#
# A SECONDS run captures with --duration SECONDS+3 (the capture must end on its own): the
# capture-s column shows it ran as long as asked. Search runs end the capture with SIGINT.
# wrk completes only the responses it receives before its time is up: the requests still in
# flight then (at most one per connection) are answered by nginx and stored by httpcap, so
# `stored` may exceed `wrk-sent` by up to the number of connections.
#
# Needs root (capture on lo), nginx, wrk, curl, sqlite3, python3 (to find a free port).
# Env: HTTPCAP (default ./httpcap of this repository), LOAD_SEARCH_SECONDS,
# LOAD_MAX_CONNECTIONS, LOAD_KEEP=DIR (keep the databases and logs in DIR).
# Exit status: 0 when every run completed (drops or not), 1 on a failed run, 2 on bad
# arguments, 77 when a prerequisite is missing.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
HTTPCAP=${HTTPCAP:-$here/httpcap}
secs=${1:-10}
conns=${2:-auto}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
rates=${*:-unlimited}
search_secs=${LOAD_SEARCH_SECONDS:-2}
max_conns=${LOAD_MAX_CONNECTIONS:-256}
size=100

usage() { echo "usage: capture_load.sh [SECONDS] [CONNECTIONS|auto] [RATE|unlimited ...]" >&2; exit 2; }
isnum() { case "$1" in '' | *[!0-9]*) return 1 ;; *) [ "$1" -gt 0 ] ;; esac; }
isnum "$secs" || usage
[ "$conns" = auto ] || isnum "$conns" || usage
{ isnum "$search_secs" && isnum "$max_conns"; } || usage
for r in $rates; do
    [ "$r" = unlimited ] || isnum "$r" || usage
done

if [ "$(id -u)" != 0 ]; then
    echo "skipped: capture_load.sh needs root (live capture on lo)"
    exit 77
fi
for c in nginx wrk curl sqlite3 python3; do
    command -v "$c" >/dev/null 2>&1 || { echo "skipped: capture_load.sh: $c not found"; exit 77; }
done
[ -x "$HTTPCAP" ] || { echo "capture_load.sh: $HTTPCAP not built (make)" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"    # nginx workers run unprivileged and read www/ from here
ngx_pid='' cap_pid=''
cleanup() {
    for p in $cap_pid $ngx_pid; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ -n "${LOAD_KEEP:-}" ]; then
        mkdir -p "$LOAD_KEEP" && cp -r "$tmp"/. "$LOAD_KEEP"/
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- nginx -------------------------------------------------------------------------------
# shellcheck source=tests/bench/nginx.sh
. "$here/tests/bench/nginx.sh"
port=$(free_port) || exit 1
mkdir -p "$tmp/www"
head -c "$size" /dev/zero | tr '\0' 'x' > "$tmp/www/load.txt"
chmod -R a+rX "$tmp/www"
nginx_start "$tmp" "$port" load.txt "    keepalive_requests 1000000;" || exit 1
url=http://127.0.0.1:$port

# --- one run -----------------------------------------------------------------------------
nproc=$(nproc 2>/dev/null || echo 1)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "# lo, $nproc CPUs (${model:-unknown}), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), port $port, ${size}-byte GET /load.txt"
fmt='%-7s %5s %4s %9s %4s %9s %9s %6s %7s %7s %9s %9s\n'
# shellcheck disable=SC2059
printf "$fmt" run conns thr rate secs wrk-sent stored not-ok k-drops i-drops req/s capture-s

# wrk_run CONNS RATE SECONDS - run wrk into $tmp/run$runs.wrk; sets t wrk_rc r_sent r_rps.
wrk_run() {
    c=$1 rate=$2 d=$3
    t=$c
    [ "$t" -gt "$nproc" ] && t=$nproc
    if [ "$rate" = unlimited ]; then
        set --
    else
        # average delay between a connection's requests, in ms; delay() takes whole ms,
        # so round up or down at random to keep the average
        awk -v c="$c" -v r="$rate" 'BEGIN { printf "local d = %.6f\n", c * 1000 / r }' \
            > "$tmp/pace.lua"
        cat >> "$tmp/pace.lua" <<'EOF'
function delay()
    local f = math.floor(d)
    if math.random() < d - f then return f + 1 end
    return f
end
EOF
        set -- -s "$tmp/pace.lua"
    fi
    wrk -t "$t" -c "$c" -d "${d}s" "$@" "$url/load.txt" >"$tmp/run$runs.wrk" 2>&1
    wrk_rc=$?
    r_sent=$(sed -nE 's/^ *([0-9]+) requests in .*/\1/p' "$tmp/run$runs.wrk")
    r_rps=$(sed -nE 's/^Requests\/sec: *([0-9.]+).*/\1/p' "$tmp/run$runs.wrk")
}

runs=0 failed=0
# run LABEL CONNS RATE SECONDS - prints a row; sets r_sent r_stored r_bad r_kdrops r_idrops r_rps.
run() {
    label=$1 c=$2 rate=$3 d=$4
    runs=$((runs + 1))
    db=$tmp/run$runs.db
    r_sent='' r_stored='' r_bad='' r_kdrops='' r_idrops='' r_rps='' r_capsecs=''
    if [ "$label" = nocap ]; then
        wrk_run "$c" "$rate" "$d"
        # shellcheck disable=SC2059
        printf "$fmt" "$label" "$c" "$t" "$rate" "$d" "${r_sent:-?}" - - - - "${r_rps:-?}" -
        [ $wrk_rc -eq 0 ] && [ -n "$r_sent" ] && return 0
        echo "capture_load.sh: run $runs failed: wrk exit $wrk_rc" >&2
        failed=$((failed + 1))
        return 1
    fi
    if [ "$label" = search ]; then
        set -- # ended with SIGINT after wrk
    else
        set -- --duration $((d + 3))
    fi
    "$HTTPCAP" capture -i lo -o "$db" -f "tcp port $port" --commit-interval 100 "$@" \
        >"$tmp/run$runs.cap.out" 2>"$tmp/run$runs.cap.err" &
    cap_pid=$!
    # Ready when a probe request is stored (the probes are left out of the counts).
    n=0
    while :; do
        n=$((n + 1))
        curl -s -o /dev/null "$url/ready-$n" || true
        sleep 0.1
        if [ -f "$db" ] && [ "$(sqlite3 -readonly "$db" \
                "SELECT count(*) FROM transactions WHERE uri LIKE '/ready-%'" 2>/dev/null)" \
                -gt 0 ] 2>/dev/null; then
            break
        fi
        if ! kill -0 "$cap_pid" 2>/dev/null || [ $n -ge 50 ]; then
            echo "capture_load.sh: run $runs: the capture did not become ready:" >&2
            head -n 5 "$tmp/run$runs.cap.err" >&2
            kill "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null; cap_pid=''
            failed=$((failed + 1))
            return 1
        fi
    done
    wrk_run "$c" "$rate" "$d"
    if [ "$label" = search ]; then
        sleep 0.3
        kill -INT "$cap_pid" 2>/dev/null
    fi
    # wait for the capture, at most 20 s past its end
    n=0
    while kill -0 "$cap_pid" 2>/dev/null && [ $n -lt 200 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    if kill -0 "$cap_pid" 2>/dev/null; then
        echo "capture_load.sh: run $runs: the capture did not end; killed" >&2
        kill -KILL "$cap_pid" 2>/dev/null
    fi
    wait "$cap_pid"
    cap_rc=$?
    cap_pid=''
    row=$(sqlite3 -separator ' ' "$db" "
        SELECT (SELECT count(*) FROM transactions WHERE uri IS NULL OR uri NOT LIKE '/ready-%'),
               (SELECT count(*) FROM transactions WHERE (uri IS NULL OR uri NOT LIKE '/ready-%')
                   AND (status IS NOT 200 OR response_body_bytes IS NOT $size)),
               kernel_drops, interface_drops,
               printf('%.2f', (finished_ns - started_ns) / 1e9)
        FROM captures" 2>"$tmp/run$runs.sql.err")
    # shellcheck disable=SC2086 # split the row into its fields
    set -- $row
    r_stored=${1:-} r_bad=${2:-} r_kdrops=${3:-} r_idrops=${4:-} r_capsecs=${5:-}
    # shellcheck disable=SC2059
    printf "$fmt" "$label" "$c" "$t" "$rate" "$d" "${r_sent:-?}" "${r_stored:-?}" "${r_bad:-?}" \
        "${r_kdrops:-?}" "${r_idrops:-?}" "${r_rps:-?}" "${r_capsecs:-?}"
    if [ $wrk_rc -ne 0 ] || [ $cap_rc -ne 0 ] || [ -z "$r_sent" ] || [ -z "$r_kdrops" ]; then
        echo "capture_load.sh: run $runs failed: wrk exit $wrk_rc, httpcap exit $cap_rc" >&2
        grep -iE 'error|timeout' "$tmp/run$runs.wrk" >&2
        head -n 5 "$tmp/run$runs.cap.err" "$tmp/run$runs.sql.err" >&2
        failed=$((failed + 1))
        return 1
    fi
    grep -E 'Socket errors|Non-2xx' "$tmp/run$runs.wrk" | sed "s/^ */# run $runs: wrk: /"
    return 0
}

# --- search, then the runs of SECONDS ----------------------------------------------------
if [ "$conns" = auto ]; then
    best='' best_rps=0 c=1
    while [ "$c" -le "$max_conns" ]; do
        if [ "${LOAD_BASELINE:-1}" = 1 ]; then
            run nocap "$c" unlimited "$search_secs"
        fi
        run search "$c" unlimited "$search_secs" || break
        [ "$r_kdrops" -gt 0 ] && break
        if awk -v a="$r_rps" -v b="$best_rps" 'BEGIN { exit !(a > b) }'; then
            best=$c best_rps=$r_rps
        fi
        c=$((c * 2))
    done
    if [ -z "$best" ]; then
        echo "capture_load.sh: no load without kernel drops (even 1 connection)" >&2
        exit 1
    fi
    conns=$best
fi
for r in $rates; do
    run test "$conns" "$r" "$secs"
done
[ "$failed" -eq 0 ]
