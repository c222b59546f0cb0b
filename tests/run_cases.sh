#!/bin/sh
# run_cases.sh WORKDIR - generate the crafted captures (build/tests/gencases and, for the
# rule-<id> cases, build/tests/genrules) and check
# each tests/cases/<name>/: analyze WORKDIR/<name>.pcap[ng], run query.sql, compare
# with expected.out. Prints a diff for each failure and "N passed, N failed".
set -u
work=$1
BUILD=${BUILD:-build}
HTTPCAP=${HTTPCAP:-./httpcap}
mkdir -p "$work"
passed=0
failed=0
if ! "$BUILD/tests/gencases" "$work" >"$work/gencases.log" 2>&1; then
    echo "FAILED: gencases"; cat "$work/gencases.log"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! "$BUILD/tests/genrules" "$work" >"$work/genrules.log" 2>&1; then
    echo "FAILED: genrules"; cat "$work/genrules.log"
    echo "0 passed, 1 failed"
    exit 1
fi
for dir in tests/cases/*/; do
    name=$(basename "$dir")
    cap=""
    for ext in pcap pcapng; do
        [ -f "$work/$name.$ext" ] && cap="$work/$name.$ext"
    done
    if [ -z "$cap" ]; then
        echo "FAILED: $name: gencases/genrules wrote no capture"
        failed=$((failed + 1))
        continue
    fi
    db="$work/$name.db"
    rm -f "$db"
    "$HTTPCAP" read -q "$cap" -o "$db" >"$work/$name.log" 2>&1
    if [ $? -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$work/$name.log"; then
        echo "FAILED: case $name: httpcap read failed"
        cat "$work/$name.log"
        failed=$((failed + 1))
        continue
    fi
    sqlite3 -batch -noheader -separator '|' "$db" <"$dir/query.sql" >"$work/$name.out" 2>&1
    if diff -u "$dir/expected.out" "$work/$name.out" >"$work/$name.diff"; then
        passed=$((passed + 1))
    else
        echo "FAILED: case $name"
        head -30 "$work/$name.diff"
        cat "$work/$name.log"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
