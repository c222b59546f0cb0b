#!/bin/sh
# real_capture.sh OUT.pcap BYTES | --check - the "real" capture of `make bench` (issue 6):
# nginx + wrk on loopback with MTU 1500 and offloads off, recorded by tcpdump (not by httpcap,
# so the capture does not depend on the tool under test), with nginx's access log as truth.
#
# A throwaway nginx (a temp prefix, a free port on 127.0.0.1) serves 923 static files: 570 of
# 1-4 KiB, 300 of 4-16 KiB, 50 of 16-64 KiB (log-uniform sizes, awk srand(BENCH_SEED)) and
# three of 128 KiB, 256 KiB and 1 MiB. wrk (BENCH_REAL_CONNS keep-alive connections, default
# 32; nginx closes a connection after 1000 requests and wrk opens a new one) picks each request
# from a list of 1000: one GET for each file, 30 GETs of missing files (404), 10 of the
# directory (403), 10 POSTs with a 0.5-2 KiB form body (405), 17 conditional GETs (304) and
# 10 Range GETs (206). No HEAD: wrk's parser would read the next response as its body.
# The number of requests is BYTES / (expected capture bytes per transaction), so the file
# comes out near BYTES (a 512 MiB target gives about 65k transactions); most of the bytes are
# bodies of several segments.
#
# Steps: lo's MTU is set to 1500 and, when ethtool is there, TSO, GSO and GRO are turned off
# (so frames are what a 1500-byte Ethernet link carries, no super-segments); tcpdump -i lo
# -s 0 -w records 'tcp port PORT'; wrk runs until every thread has all its responses; tcpdump
# is stopped 2 s later (after libpcap's 1 s block timeout has handed over the last
# packets). If tcpdump reports packets dropped by the kernel, the capture is taken once more
# at half the request rate wrk reached; drops that remain are reported (kernel_drops= in the
# summary, a warning on stderr). lo's MTU and offloads are restored and nginx stopped on exit,
# failure or signal. A lock serializes runs on this host (they share lo), and lo's original
# settings are kept in a state file while changed: a run killed before it could restore them
# is undone by the next run.
#
# stdout: one summary line in the format of genbench's (the ground truth of bench.sh's check),
#   from nginx's access log: transactions, status_N, get/post/head, request_body_bytes (the
#   Content-Length of requests), response_body_bytes ($body_bytes_sent), connections
#   (distinct $connection); packets from tcpdump; bytes = the file size. Progress on stderr.
# --check: prints why the capture cannot be taken here and exits 77, or exits 0.
# Needs root, nginx, wrk, tcpdump, curl, python3, ip (iproute2); ethtool optional.
# Env: BENCH_REAL_CONNS (32), BENCH_SEED (1, the file sizes and picks), TMPDIR.
# Exit status: 0, 1 on failure, 2 on bad arguments, 77 when a prerequisite is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/nginx.sh
. "$here/nginx.sh"

why_not() {
    if [ "$(id -u)" != 0 ]; then
        echo "needs root, to set the MTU and offloads of lo and to capture on it"
        return
    fi
    for c in nginx wrk tcpdump curl python3 ip; do
        if ! command -v "$c" >/dev/null 2>&1; then
            echo "$c not installed"
            return
        fi
    done
}

if [ "${1:-}" = --check ]; then
    r=$(why_not)
    [ -z "$r" ] && exit 0
    echo "$r"
    exit 77
fi
[ $# -eq 2 ] || { echo "usage: real_capture.sh OUT.pcap BYTES | --check" >&2; exit 2; }
out=$1
target=$2
conns=${BENCH_REAL_CONNS:-32}
seed=${BENCH_SEED:-1}
isnum() { case "$1" in '' | *[!0-9]*) return 1 ;; *) [ "$1" -gt 0 ] ;; esac; }
{ isnum "$target" && isnum "$conns" && { [ "$seed" = 0 ] || isnum "$seed"; }; } ||
    { echo "real_capture.sh: bad BYTES, BENCH_REAL_CONNS or BENCH_SEED" >&2; exit 2; }
r=$(why_not)
if [ -n "$r" ]; then
    echo "real_capture.sh: skipped: $r" >&2
    exit 77
fi
say() { echo "real_capture.sh: $*" >&2; }

# --- lo's settings -------------------------------------------------------------------------
lockdir=/run/lock
[ -d "$lockdir" ] && [ -w "$lockdir" ] || lockdir=${TMPDIR:-/tmp}
state=$lockdir/httpcap-real-capture.lo
has_ethtool=0
command -v ethtool >/dev/null 2>&1 && has_ethtool=1

# lo_get: prints lo's settings as "MTU TSO GSO GRO" (on/off; - without ethtool).
lo_get() {
    mtu=$(cat /sys/class/net/lo/mtu) || return 1
    if [ "$has_ethtool" = 1 ]; then
        ethtool -k lo | awk -v mtu="$mtu" '
            /^tcp-segmentation-offload:/ { split($0, f, ": "); split(f[2], w, " "); tso = w[1] }
            /^generic-segmentation-offload:/ { split($0, f, ": "); split(f[2], w, " "); gso = w[1] }
            /^generic-receive-offload:/ { split($0, f, ": "); split(f[2], w, " "); gro = w[1] }
            END { print mtu, (tso ? tso : "-"), (gso ? gso : "-"), (gro ? gro : "-") }'
    else
        echo "$mtu - - -"
    fi
}

# lo_set MTU TSO GSO GRO: "-" leaves an offload as it is. Returns 1 if something failed.
lo_set() {
    rc=0
    ip link set dev lo mtu "$1" || rc=1
    set -- "$2" "$3" "$4"
    if [ "$has_ethtool" = 1 ]; then
        for kv in "tso $1" "gso $2" "gro $3"; do
            case $kv in
                *" -") ;;
                *) # shellcheck disable=SC2086 # "NAME on|off" is two arguments
                    ethtool -K lo $kv 2>/dev/null || rc=1 ;;
            esac
        done
    fi
    return $rc
}

# restore: put back the settings kept in the state file, then remove it.
restore() {
    [ -s "$state" ] || return 0
    # shellcheck disable=SC2046 # the state file holds the four words of lo_get
    if lo_set $(cat "$state"); then
        rm -f "$state"
    else
        say "could not restore lo to: $(cat "$state") (kept in $state)"
        return 1
    fi
}

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"    # nginx workers run unprivileged and read www/ from here
ngx_pid='' tcp_pid='' wrk_pid=''
# stop SIGNAL PID: signal a background job and wait for it, at most 5 s, then SIGKILL it.
# A job of this script starts with SIGINT and SIGQUIT ignored (POSIX, no job control), so
# only SIGINT to wrk and tcpdump long after they set their handlers: SIGTERM otherwise.
stop() {
    kill -"$1" "$2" 2>/dev/null || return 0
    k=0
    while kill -0 "$2" 2>/dev/null && [ $k -lt 50 ]; do
        sleep 0.1
        k=$((k + 1))
    done
    kill -KILL "$2" 2>/dev/null
    wait "$2"
}
cleanup() {
    for p in $wrk_pid $tcp_pid $ngx_pid; do
        stop TERM "$p"
    done
    restore
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if command -v flock >/dev/null 2>&1; then
    exec 9>"$lockdir/httpcap-real-capture.lock"
    if ! flock -n 9; then
        say "another real capture runs on this host; waiting for it (up to 15 min)"
        flock -w 900 9 || { say "gave up waiting for the lock"; exit 1; }
    fi
fi
if [ -s "$state" ]; then
    say "an earlier run did not restore lo; restoring it to: $(cat "$state")"
    restore || exit 1
fi
orig=$(lo_get) || { say "cannot read lo's settings"; exit 1; }
echo "$orig" >"$state"
if ! lo_set 1500 off off off; then
    say "warning: could not set lo's MTU to 1500 or turn its offloads off"
fi
# shellcheck disable=SC2046
set -- $(lo_get)
mtu=$1 offloads="tso=$2 gso=$3 gro=$4"
[ "$has_ethtool" = 1 ] || offloads="unchanged (no ethtool)"
say "lo: MTU $mtu, $offloads (was: $orig)"

# --- the files and the request list ----------------------------------------------------------
mkdir -p "$tmp/www/f" || exit 1
# The files' time, for the If-Modified-Since of the conditional GETs.
mtime=202401010000
ims='Mon, 01 Jan 2024 00:00:00 GMT'
awk -v seed="$seed" -v ims="$ims" -v files="$tmp/files" -v list="$tmp/list" '
    function logu(lo, hi) { return int(exp(log(lo) + rand() * (log(hi) - log(lo)))) }
    function add(n, lo, hi,   i) { for (i = 0; i < n; i++) { nf++; size[nf] = logu(lo, hi) } }
    function pick() { return 1 + int(rand() * nf) }
    BEGIN {
        srand(seed)
        add(570, 1024, 4096); add(300, 4096, 16384); add(50, 16384, 65536)
        size[++nf] = 131072; size[++nf] = 262144; size[++nf] = 1048576
        for (i = 1; i <= nf; i++) {
            printf "/f/%04d.bin %d\n", i, size[i] > files
            printf "GET|/f/%04d.bin|\n", i > list
        }
        for (i = 0; i < 30; i++) printf "GET|/missing/%06d.html|\n", int(rand() * 1e6) > list
        for (i = 0; i < 10; i++) printf "GET|/f/|\n" > list
        for (i = 0; i < 10; i++) printf "POST|/f/%04d.bin|body=%d\n", pick(), 512 + int(rand() * 1536) > list
        for (i = 0; i < 17; i++) printf "GET|/f/%04d.bin|If-Modified-Since: %s\n", pick(), ims > list
        for (i = 0; i < 10; i++) {
            do j = pick(); while (size[j] < 4096)
            printf "GET|/f/%04d.bin|Range: bytes=0-1023\n", j > list
        }
    }' || exit 1
while read -r path size; do
    head -c "$size" /dev/urandom >"$tmp/www$path" || exit 1
done <"$tmp/files"
find "$tmp/www/f" -type f -exec env TZ=UTC touch -t "$mtime" {} + || exit 1
chmod -R a+rX "$tmp/www"
# Expected bytes of capture per transaction: the mean response body (an error page is about
# 160 bytes, 206 sends 1 KiB, 304 none) plus 14% for the request, the response headers, the
# frames' headers and the ACKs at MTU 1500 (measured: 13.7-13.8%).
n=$(awk -v target="$target" 'NR == FNR { size[$1] = $2; next }
    { split($0, f, "|"); b = 0 }
    f[1] == "GET" && f[3] == "" { b = (f[2] in size) ? size[f[2]] : 160 }
    f[1] == "POST" { b = 160 }
    f[3] ~ /^Range/ { b = 1024 }
    { sum += b; k++ }
    END { per = sum / k * 1.14; n = int(target / per); print (n > 0) ? n : 1 }' \
    "$tmp/files" "$tmp/list") || exit 1

# --- nginx ---------------------------------------------------------------------------------
port=$(free_port) || exit 1
nginx_start "$tmp" "$port" ready "
    log_format bench '\$connection \$status \$request_method \$body_bytes_sent \$content_length';
    keepalive_requests 1000;
    sendfile on;" "
        access_log access.log bench;
        location = /ready {
            access_log off;
            return 204;
        }" || exit 1
threads=$(nproc 2>/dev/null || echo 1)
[ "$threads" -gt "$conns" ] && threads=$conns

# capture PACE_MS: one capture into $tmp/cap.pcap; sets packets, drops, rps. Returns 1 on failure.
capture() {
    rm -f "$tmp/cap.pcap" "$tmp"/done.*
    : >"$tmp/access.log"
    : >"$tmp/tcpdump.err"
    tcpdump -i lo -s 0 -B 131072 -Z root -w "$tmp/cap.pcap" "tcp port $port" \
        2>"$tmp/tcpdump.err" &
    tcp_pid=$!
    k=0
    until grep -q 'listening on' "$tmp/tcpdump.err"; do
        k=$((k + 1))
        if [ $k -ge 100 ] || ! kill -0 "$tcp_pid" 2>/dev/null; then
            say "tcpdump did not start: $(head -n 3 "$tmp/tcpdump.err")"
            return 1
        fi
        sleep 0.1
    done
    wrk -t "$threads" -c "$conns" -d 3600s --timeout 30s -s "$here/real_capture.lua" \
        "http://127.0.0.1:$port/" -- "$tmp/list" "$n" "$threads" "$1" "$tmp/done." \
        >"$tmp/wrk.out" 2>&1 &
    wrk_pid=$!
    # Every thread says when it has all its responses; allow 1 ms a request plus a minute.
    k=0
    limit=$((n / 100 + 600))
    while [ "$(find "$tmp" -maxdepth 1 -name 'done.*' | wc -l)" -lt "$threads" ]; do
        k=$((k + 1))
        if [ $k -ge $limit ] || ! kill -0 "$wrk_pid" 2>/dev/null; then
            say "wrk did not finish its $n requests: $(wc -l <"$tmp/access.log") in nginx's log"
            head -n 20 "$tmp/wrk.out" >&2
            return 1
        fi
        sleep 0.1
    done
    stop INT "$wrk_pid"    # wrk prints its summary on SIGINT only
    wrk_pid=''
    # The last FINs and ACKs, and the last block of tcpdump's ring: libpcap hands a block
    # over when it is full or after its 1 s timeout, and tcpdump stopped before that loses
    # the block (the last responses, then missing from the capture but in nginx's log).
    sleep 2
    stop TERM "$tcp_pid"
    tcp_pid=''
    packets=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$tmp/tcpdump.err")
    drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$tmp/tcpdump.err")
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk.out")
    if [ -z "$packets" ] || [ -z "$drops" ] || [ ! -s "$tmp/cap.pcap" ]; then
        say "tcpdump: $(cat "$tmp/tcpdump.err")"
        return 1
    fi
    got=$(wc -l <"$tmp/access.log")
    if [ "$got" -ne "$n" ]; then
        say "nginx logged $got requests, wrk was to make $n"
        return 1
    fi
    return 0
}

say "capturing $n requests over $conns connections on 127.0.0.1:$port (target $target bytes)"
pace=0 rate=unlimited
capture 0 || exit 1
if [ "$drops" -gt 0 ]; then
    rate=$(awk -v r="${rps:-0}" 'BEGIN { r = int(r / 2); print (r > 0) ? r : 100 }')
    pace=$(awk -v c="$conns" -v r="$rate" 'BEGIN { printf "%.3f", c * 1000 / r }')
    say "$drops packets dropped by the kernel at ${rps:-?} requests/s; again at $rate requests/s"
    capture "$pace" || exit 1
    [ "$drops" -gt 0 ] && say "warning: still $drops packets dropped by the kernel (kept, reported)"
fi
stop TERM "$ngx_pid"
ngx_pid=''
restore || exit 1
say "lo restored: $(lo_get)"

bytes=$(stat -c %s "$tmp/cap.pcap")
mv "$tmp/cap.pcap" "$out" || exit 1
awk -v packets="$packets" -v bytes="$bytes" -v drops="$drops" -v rate="$rate" \
    -v conns="$conns" -v mtu="$mtu" -v offl="$offloads" '
    { conn[$1] = 1; st[$2]++; m[$3]++; resp += $4; if ($5 ~ /^[0-9]+$/) req += $5 }
    END {
        nc = 0
        for (c in conn) nc++
        printf "profile=real packets=%s connections=%d transactions=%d bytes=%s", packets, nc, NR, bytes
        for (s = 100; s < 1000; s++) if (s in st) printf " status_%d=%d", s, st[s]
        printf " get=%d post=%d head=%d request_body_bytes=%.0f response_body_bytes=%.0f",
            m["GET"], m["POST"], m["HEAD"], req, resp
        gsub(/ /, ",", offl)
        printf " kernel_drops=%s rate=%s wrk_connections=%s mtu=%s offloads=%s\n",
            drops, rate, conns, mtu, offl
    }' "$tmp/access.log"
