#!/bin/sh
# install-deps.sh build|test|fuzz - install the Debian packages httpcap needs, only when
# missing (apt-get update first). "build": compiler, libpcap, SQLite, libpq (PostgreSQL's
# client library), llhttp sources. "test": also the PostgreSQL server (the tests start a
# throwaway cluster with tests/pg_cluster.sh), tshark, editcap (wireshark-common), script
# (bsdutils), python3, curl, nginx, sqlite3, tcpdump, strace for the test suite, man-db,
# groff-base and mandoc to render and lint the manual page (and wrk, httpry, ethtool,
# iproute2 for `make bench`). "fuzz": also clang and the libFuzzer runtime that `clang
# -fsanitize=fuzzer` links (Debian 12: libclang-rt-14-dev, which clang only recommends),
# for `make fuzz`.
set -eu
build_pkgs="gcc make libc6-dev libpcap-dev libsqlite3-dev libpq-dev node-llhttp"
fuzz_pkgs="$build_pkgs clang libclang-rt-14-dev"
test_pkgs="$build_pkgs postgresql sqlite3 python3 python3-jsonschema tshark wireshark-common bsdutils curl nginx-light tcpdump procps time strace man-db groff-base mandoc chromium fonts-dejavu-core wrk httpry ethtool iproute2"
case "${1:-build}" in
    build) want=$build_pkgs ;;
    test) want=$test_pkgs ;;
    fuzz) want=$fuzz_pkgs ;;
    *) echo "usage: $0 build|test|fuzz" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "httpcap: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing >/dev/null
