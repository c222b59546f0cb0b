#!/bin/sh
# make-sample.sh [OUT.pcap] - regenerate samples/loopback-mixed.pcap end to end.
#
# Starts nginx (samples/nginx.conf, 127.0.0.1:8081) and the python server (samples/server.py,
# 127.0.0.1:8082) from a temp dir, captures loopback with tcpdump, runs a fixed list of curl
# commands against both, then stops everything and prints tshark's status code counts.
# Needs root (tcpdump), nginx, python3, curl, tcpdump; tshark only for the summary.
# Ports 8081, 8082 and 8089 (kept closed, for the 502) must be free.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/loopback-mixed.pcap}
B=http://127.0.0.1:8081
P=http://127.0.0.1:8082

if [ "$(id -u)" != 0 ]; then
    echo "make-sample.sh: run as root (tcpdump needs it)" >&2
    exit 1
fi
for c in nginx python3 curl tcpdump; do
    command -v "$c" >/dev/null 2>&1 || { echo "make-sample.sh: $c not found" >&2; exit 1; }
done

tmp=$(mktemp -d)
chmod 755 "$tmp"    # nginx workers run as an unprivileged user and read www/ from here
py_pid='' ngx_pid='' dump_pid=''
cleanup() {
    for p in $dump_pid $ngx_pid $py_pid; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- content served by nginx -------------------------------------------------------------
mkdir -p "$tmp/www/new" "$tmp/www/private"
printf '<!doctype html>\n<html><head><title>httpcap sample</title></head>\n<body><h1>index</h1><p><a href="/about.html">about</a></p></body></html>\n' > "$tmp/www/index.html"
printf '<!doctype html>\n<html><body><h1>about</h1><p>A page for keep-alive and 304 tests.</p></body></html>\n' > "$tmp/www/about.html"
printf '<!doctype html>\n<html><body><h1>new home</h1></body></html>\n' > "$tmp/www/new/index.html"
printf 'secret\n' > "$tmp/www/private/report.txt"
i=1
while [ $i -le 200 ]; do
    printf 'line %03d: the quick brown fox jumps over the lazy dog\n' $i
    i=$((i + 1))
done > "$tmp/www/big.txt"
# request bodies: 2 KB (above curl's 1 KB Expect threshold) and 4 KB (above nginx's 1k cap)
head -c 2048 /dev/zero | tr '\0' 'a' > "$tmp/body2k"
head -c 4096 /dev/zero | tr '\0' 'b' > "$tmp/body4k"

# --- servers -----------------------------------------------------------------------------
python3 "$here/server.py" 8082 2>"$tmp/python.log" &
py_pid=$!
nginx -p "$tmp/" -c "$here/nginx.conf" -e "$tmp/error.log" &
ngx_pid=$!

# Wait until both answer (before tcpdump starts, so these probes are not captured).
n=0
until curl -s -o /dev/null "$B/" && curl -s -o /dev/null "$P/hello"; do
    n=$((n + 1))
    if [ $n -ge 50 ]; then
        echo "make-sample.sh: servers did not come up" >&2
        cat "$tmp/error.log" "$tmp/python.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done

# --- capture -----------------------------------------------------------------------------
# -Z root: keep root so tcpdump can write into the temp dir; -U: write each packet at once.
tcpdump -i lo -s 0 -U -Z root -w "$tmp/capture.pcap" 'tcp port 8081 or tcp port 8082' \
    2>"$tmp/tcpdump.log" &
dump_pid=$!
n=0
until grep -q 'listening on' "$tmp/tcpdump.log" 2>/dev/null; do
    n=$((n + 1))
    [ $n -ge 50 ] && { cat "$tmp/tcpdump.log" >&2; exit 1; }
    sleep 0.1
done
sleep 0.5

# Every transfer appends "== CODE METHOD URL" to curl.out; bodies go there too.
W='\n== %{http_code} %{method} %{url_effective}\n'
c() {
    curl -sS -w "$W" "$@" >>"$tmp/curl.out" 2>>"$tmp/curl.err" || true
    sleep 0.1
}

# nginx: keep-alive (4 URLs on one connection) with a request id: 200 200 404 301
c -H 'X-Request-ID: req-0001' "$B/" "$B/about.html" "$B/missing.html" "$B/old-page"
# redirects followed on the same connection: 302 -> 200, 301 (directory slash) -> 200
c -L "$B/temp"
c -L "$B/new"
# HEAD: 200 and 404
c -I "$B/" "$B/nope"
# gzip: chunked, Content-Encoding: gzip
c --compressed -H 'X-Request-ID: req-0002' "$B/big.txt"
# conditional GETs: If-None-Match with nginx's ETag -> 304; If-Modified-Since -> 304
c --etag-save "$tmp/etag" "$B/index.html"
c --etag-compare "$tmp/etag" "$B/index.html"
c -z "$tmp/www/about.html" "$B/about.html"
# ranges: 206, then 416
c -r 0-99 "$B/big.txt"
c -r 999999- "$B/big.txt"
# 204, 500, 503, 502 (upstream down), 504 (upstream too slow)
c "$B/nocontent"
c -H 'X-Request-ID: req-0003' "$B/error"
c "$B/maintenance" "$B/bad-gateway"
c -H 'X-Request-ID: req-0004' "$B/slow-upstream"
# 403, 401, 429
c "$B/private/report.txt"
c "$B/admin"
c "$B/ratelimited"
# POST with Expect: 100-continue: 100 then 201 (nginx proxies the body to python)
c -H 'X-Request-ID: req-0005' -H 'Expect: 100-continue' --data-binary @"$tmp/body2k" "$B/upload"
# POST too large: 413 without 100 Continue
c -H 'Expect: 100-continue' --data-binary @"$tmp/body4k" "$B/small-upload"
# methods a static file does not allow: 405 twice
c -d 'x=1' "$B/about.html"
c -X DELETE "$B/about.html"
# invalid Host header: 400
c -H 'Host: bad host' "$B/"

# python: keep-alive: 200 (Content-Length), 200 (JSON), 200 (chunked, 4 chunks)
c -H 'X-Request-ID: req-0006' "$P/hello" "$P/json?id=7" "$P/chunked"
# 103 Early Hints, then 200
c "$P/early-hints"
# Expect: 100-continue answered by python itself: 100 then 201
c -H 'Expect: 100-continue' -H 'X-Request-ID: req-0007' --data-binary @"$tmp/body2k" "$P/upload"
# HTTP/1.0 response with a close-delimited body
c "$P/legacy"
# an HTTP/1.0 request
c --http1.0 "$P/hello"
# 307 followed on the same connection -> 200
c -L "$P/moved"
# 418, 503 with Retry-After, 404 (send_error closes the connection, so it goes last)
c "$P/teapot" "$P/retry" "$P/nothing"
# PUT -> 409, DELETE -> 204
c -X PUT -d 'v=2' "$P/items/42"
c -X DELETE "$P/items/7"
# 422 for a JSON body
c -H 'Content-Type: application/json' -d '{}' "$P/validate"
# slow answer (~250 ms to first byte) with a correlation id
c -H 'X-Correlation-ID: corr-0077' "$P/slow?ms=250"

# Let the 504's late upstream answer (1.5 s) hit its closed socket, then stop.
sleep 1.5
kill -INT "$dump_pid"
wait "$dump_pid" || true
dump_pid=

grep '^== ' "$tmp/curl.out" | sed 's/^== /curl: /'
if [ -s "$tmp/curl.err" ]; then
    sed 's/^/curl error: /' "$tmp/curl.err" >&2
fi
cp "$tmp/capture.pcap" "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
if command -v tshark >/dev/null 2>&1; then
    echo "tshark status codes (count code):"
    tshark -r "$out" -Y http.response -T fields -e http.response.code 2>/dev/null | sort | uniq -c
fi
