#!/bin/sh
# test_capture_load.sh - live capture under load: wrk against nginx on loopback, captured by
# `httpcap capture -i lo`, through tests/bench/capture_load.sh. Short runs (1 s) with 1, 2, 4,
# ... 64 connections find the load with the highest req/s and no kernel drops; a 10 s run at
# that load must then have: no kernel drops, every request wrk completed stored (wrk stops
# with requests in flight that nginx still answers, so stored may exceed wrk's count by at
# most one per connection), every stored transaction a 200 with the 100-byte body, and a
# capture that ran as long as asked (--duration 13). About 30 s.
# Skipped (never passed) when not root or without nginx, wrk, curl, sqlite3 or python3.
set -u
HTTPCAP=${HTTPCAP:-$(pwd)/httpcap}
export HTTPCAP
passed=0
failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi; }
skip() { echo "skipped: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

[ "$(id -u)" = 0 ] || skip "test_capture_load.sh needs root (live capture on lo)"
for c in nginx wrk curl sqlite3 python3; do
    command -v "$c" >/dev/null 2>&1 || skip "test_capture_load.sh: $c not found"
done

here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
secs=10
LOAD_SEARCH_SECONDS=1 LOAD_MAX_CONNECTIONS=64 LOAD_BASELINE=0 \
    sh "$here/tests/bench/capture_load.sh" "$secs" auto unlimited >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
if [ $rc = 77 ]; then
    skip "$(sed -n 's/^skipped: //p' "$tmp/out")"
fi
check $rc "capture_load.sh exited $rc: $(head -n 10 "$tmp/err")"

# run conns thr rate secs wrk-sent stored not-ok k-drops i-drops req/s capture-s
row=$(grep '^test ' "$tmp/out" | tail -n 1)
[ -n "$row" ]; check $? "no test row in the table"
# shellcheck disable=SC2086 # split the row into its fields
set -- $row x x x x x x x x x x x x
conns=$2 sent=$6 stored=$7 bad=$8 kdrops=$9
shift 9
capsecs=$3
num() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }
num "$conns" && num "$sent" && num "$stored" && num "$bad" && num "$kdrops"
check $? "unparsable test row: $row"
num "$sent" || sent=0
num "$stored" || stored=-1
num "$conns" || conns=0
[ "$sent" -gt 1000 ]; check $? "wrk completed only $sent requests"
[ "$kdrops" = 0 ]; check $? "$kdrops packets dropped by the kernel at $conns connections"
[ "$stored" -ge "$sent" ]; check $? "stored $stored transactions, wrk completed $sent"
[ "$stored" -le $((sent + conns)) ]
check $? "stored $stored transactions, more than wrk's $sent + $conns connections in flight"
# The transactions stored beyond wrk's count were in flight when wrk stopped: wrk closed
# their connections, so their responses may be cut or missing. Every other one is a 200.
inflight=$((stored - sent))
[ "$inflight" -ge 0 ] || inflight=0
[ "$bad" -le "$inflight" ]
check $? "$bad stored transactions are not a 200 with the 100-byte body ($inflight in flight)"
awk -v s="$capsecs" -v d=$((secs + 3)) 'BEGIN { exit !(s + 0 >= d && s + 0 < d + 1.5) }'
check $? "capture ran $capsecs s, asked $((secs + 3)) s"
echo "$passed passed, $failed failed"
