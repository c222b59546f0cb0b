#!/bin/sh
# demo.sh HTTPCAP - read samples/loopback-mixed.pcap into a temp database and print a
# short summary: `HTTPCAP report` when the binary has it, else sqlite3 queries on the view
# v_transactions (method, host, uri, status, reason, class, ttfb_ms, total_ms, request_id,
# flags). Usage: sh samples/demo.sh ./httpcap
set -eu

if [ $# -lt 1 ]; then
    echo "usage: sh samples/demo.sh ./httpcap" >&2
    exit 2
fi
bin=$1
if ! command -v "$bin" >/dev/null 2>&1; then
    echo "demo.sh: $bin: no such program (build it first: make)" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
pcap=$here/loopback-mixed.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/demo.db

echo "== $bin read samples/loopback-mixed.pcap -o <tmpdb>"
"$bin" read "$pcap" -o "$db"
echo

# The report command, if this binary has one: the database as an argument, or -d DB.
if "$bin" report --help >/dev/null 2>&1; then
    for form in "report $db" "report -d $db"; do
        # shellcheck disable=SC2086  # $form is split on purpose; $db has no spaces (mktemp)
        if "$bin" $form 2>"$tmp/report.err"; then
            exit 0
        fi
    done
    echo "($bin report failed: $(head -1 "$tmp/report.err"); using sqlite3)" >&2
    echo
fi

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "demo.sh: sqlite3 not found (apt-get install sqlite3)" >&2
    exit 1
fi
q() {
    echo "-- $1"
    sqlite3 -header -column "$db" "$2" >"$tmp/q.out"
    if [ -s "$tmp/q.out" ]; then cat "$tmp/q.out"; else echo "(none)"; fi
    echo
}

q "transactions" \
  "SELECT count(*) AS transactions,
          count(DISTINCT host) AS hosts,
          sum(request_id IS NOT NULL AND request_id <> '') AS with_request_id,
          sum(flags IS NOT NULL AND flags <> '') AS flagged
     FROM v_transactions;"

q "by class" \
  "SELECT coalesce(class, '(none)') AS class, count(*) AS n
     FROM v_transactions GROUP BY 1 ORDER BY 1;"

# The registered reason too, when the schema has the status_codes table.
if [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'status_codes';")" = 1 ]; then
    q "by status (reason on the wire, registered reason)" \
      "SELECT t.status, t.reason, s.reason AS registered, count(*) AS n
         FROM v_transactions t LEFT JOIN status_codes s ON s.code = t.status
        GROUP BY t.status, t.reason ORDER BY t.status;"
else
    q "by status" \
      "SELECT status, reason, count(*) AS n
         FROM v_transactions GROUP BY status, reason ORDER BY status;"
fi

q "top URIs" \
  "SELECT method, host, uri, count(*) AS n, group_concat(DISTINCT status) AS statuses
     FROM v_transactions GROUP BY method, host, uri
    ORDER BY n DESC, host, uri LIMIT 10;"

q "slowest 5 by time to first byte" \
  "SELECT method, host, uri, status, round(ttfb_ms, 3) AS ttfb_ms,
          round(total_ms, 3) AS total_ms, coalesce(request_id, '') AS request_id
     FROM v_transactions WHERE ttfb_ms IS NOT NULL
    ORDER BY ttfb_ms DESC LIMIT 5;"

q "flagged (incomplete or unusual) transactions" \
  "SELECT method, host, uri, coalesce(status, '') AS status, flags
     FROM v_transactions WHERE flags IS NOT NULL AND flags <> ''
    ORDER BY host, uri;"
