#!/bin/sh
# run_fuzz.sh TARGET SECONDS - run build/fuzz/fuzz_TARGET (libFuzzer) for SECONDS over its
# corpus, from the repository root. New inputs go to build/fuzz/corpus/TARGET (merge them
# into tests/fuzz/corpus/TARGET with `make fuzz-merge`), crashes, leaks, timeouts and OOMs
# to tests/fuzz/crashes/TARGET/. One process, one job. Appends "TARGET SECONDS EXECS" to
# build/fuzz/stats.txt; the whole log is build/fuzz/TARGET.log. Exit status: libFuzzer's.
set -u
t=$1
secs=$2
bin=build/fuzz/fuzz_$t
new=build/fuzz/corpus/$t
crashes=tests/fuzz/crashes/$t
mkdir -p "$new" "$crashes"
dict=""
case $t in
    http | capture) dict=-dict=tests/fuzz/http.dict ;;
esac
maxlen=""
[ "$t" = capture ] && maxlen=-max_len=32768
echo "fuzz_$t: $secs s"
start=$(date +%s)
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" $dict $maxlen "$new" "tests/fuzz/corpus/$t" "$crashes" \
    >"build/fuzz/$t.log" 2>&1
rc=$?
end=$(date +%s)
execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "build/fuzz/$t.log" | tail -n 1)
echo "$t $((end - start)) ${execs:-0}" >>build/fuzz/stats.txt
grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
    "build/fuzz/$t.log" | tail -n 8
[ $rc -ne 0 ] && echo "fuzz_$t: exit $rc, see build/fuzz/$t.log"
exit $rc
