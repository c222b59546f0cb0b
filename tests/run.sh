#!/bin/sh
# run.sh - the whole test suite: unit tests, the fuzz corpora replayed, crafted capture
# cases, end-to-end scripts.
# Each part prints lines ending in "N passed, N failed"; this sums them and ends with
# the same line for everything. Run from the repository root by `make test`.
# The end-to-end scripts run with a throwaway PostgreSQL cluster (tests/pg_cluster.sh, its
# directory in HTTPCAP_TEST_PG), stopped at the end; without PostgreSQL's server binaries
# the test_pg_* scripts say "skipped".
# Env: HTTPCAP (the binary), BUILD (build dir), SHARED (default ../shared).
set -u
export TZ=UTC LC_ALL=C
BUILD=${BUILD:-build}
HTTPCAP=${HTTPCAP:-$(pwd)/httpcap}
SHARED=${SHARED:-../shared}
export HTTPCAP BUILD SHARED
# Under SANITIZE=1 a sanitizer report must fail the test that caused it: tests look for
# "Sanitizer" / "runtime error" in httpcap's stderr and for this exit status.
export ASAN_OPTIONS="exitcode=86:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
passed=0
failed=0
skipped=0
tmp=$(mktemp -d)
pg_dir="$tmp/pg"
trap 'sh tests/pg_cluster.sh stop "$pg_dir" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Add the counts of the closing line "N passed, N failed[, N skipped]" of a part's output.
count() {
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAILED: $2 printed no result line"
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + ${s:-0}))
    echo "$2: $line"
}

echo "== unit tests"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    "$t" >"$tmp/$name.out" 2>&1
    rc=$?
    [ $rc -ne 0 ] && sed -n '1,40p' "$tmp/$name.out" | grep -v '^[0-9]* passed' | head -20
    count "$tmp/$name.out" "$name"
    if [ $rc -ne 0 ] && ! grep -qE '^[0-9]+ passed, [1-9]' "$tmp/$name.out"; then
        echo "FAILED: $name exited $rc"
        failed=$((failed + 1))
    fi
done

echo "== fuzz corpus replay"
for t in decode reasm http capture; do
    bin="$BUILD/tests/replay_$t"
    if [ ! -x "$bin" ]; then
        echo "FAILED: $bin is missing (make check-tests)"
        failed=$((failed + 1))
        continue
    fi
    "$bin" "tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t" >"$tmp/replay_$t.out" 2>&1
    grep -E '^FAILED' "$tmp/replay_$t.out" | head -20
    count "$tmp/replay_$t.out" "replay_$t"
done

echo "== crafted capture cases"
sh tests/run_cases.sh "$tmp/cases" >"$tmp/cases.out" 2>&1
grep -E '^(FAILED|---|\+\+\+|[-+<>]|skipped)' "$tmp/cases.out" | head -60
count "$tmp/cases.out" "cases"

echo "== PostgreSQL for the end-to-end scripts"
sh tests/pg_cluster.sh start "$pg_dir" >"$tmp/pg.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    cat "$tmp/pg.out"
    export HTTPCAP_TEST_PG="$pg_dir"
elif [ $rc -eq 3 ]; then
    echo "skipped: no PostgreSQL server binaries (apt-get install postgresql): test_pg_* skip"
else
    sed -n '1,20p' "$tmp/pg.out"
    echo "FAILED: tests/pg_cluster.sh start exited $rc"
    failed=$((failed + 1))
fi

echo "== end-to-end scripts"
for s in tests/e2e/test_*; do
    [ -f "$s" ] || continue
    name=$(basename "$s")
    case "$s" in
        *.py) python3 "$s" >"$tmp/$name.out" 2>&1 ;;
        *.sh) sh "$s" >"$tmp/$name.out" 2>&1 ;;
        *) continue ;;
    esac
    grep -E '^(FAILED|skipped)' "$tmp/$name.out" | head -40
    count "$tmp/$name.out" "$name"
done

echo
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
