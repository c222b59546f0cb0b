#!/bin/sh
# test_memory.sh - memory is bounded by concurrent state, not by capture size: a
# generated capture of >= 1 GB with 10,000 connections open at once is analyzed with
# peak RSS under 100 MB (GNU time's "Maximum resident set size"), and every generated
# transaction is stored. Under sanitizers (whose shadow memory inflates RSS) a 64 MB
# capture checks the counts only.
set -u
BUILD=${BUILD:-build}
HTTPCAP=${HTTPCAP:-./httpcap}
passed=0
failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$BUILD" in
    *sanitize*) bytes=$((64 * 1024 * 1024)); limit_kb=0 ;;
    *) bytes=$((1100 * 1024 * 1024)); limit_kb=$((100 * 1024)) ;;
esac
"$BUILD/tests/genload" "$tmp/load.pcap" --bytes "$bytes" --concurrent 11000 --seed 7 >"$tmp/gen.out"
check $? "genload failed"
want=$(sed -nE 's/.*transactions[ =:]+([0-9]+).*/\1/p' "$tmp/gen.out" | head -n 1)
/usr/bin/time -v "$HTTPCAP" read -q "$tmp/load.pcap" -o "$tmp/load.db" 2>"$tmp/time.out"
check $? "httpcap read failed: $(head -n 3 "$tmp/time.out")"
! grep -qE 'Sanitizer|runtime error' "$tmp/time.out"; check $? "sanitizer report: $(head -n 20 "$tmp/time.out")"
rss=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$tmp/time.out")
size=$(stat -c %s "$tmp/load.pcap")
secs=$(sed -nE 's/.*Elapsed \(wall clock\) time.*: (.*)/\1/p' "$tmp/time.out")
got=$(sqlite3 "$tmp/load.db" "select count(*) from transactions where status is not null")
conc=$(sqlite3 "$tmp/load.db" "select peak_connections from captures")
echo "capture $size bytes, $want transactions generated, $got stored, $conc connections at once, peak RSS ${rss} kB, $secs"
[ "$got" = "$want" ]; check $? "stored $got answered transactions, generated $want"
if [ "$limit_kb" -gt 0 ]; then
    [ "$size" -ge 1000000000 ]; check $? "capture only $size bytes"
    [ "${conc:-0}" -ge 10000 ]; check $? "only $conc connections open at once"
    [ "${rss:-999999999}" -lt "$limit_kb" ]; check $? "peak RSS ${rss} kB >= $limit_kb kB"
fi
echo "$passed passed, $failed failed"
