# shellcheck shell=sh
# nginx.sh - sourced by capture_load.sh and real_capture.sh: a throwaway nginx on loopback.
#
# free_port: prints a free TCP port on 127.0.0.1 (python3).
# nginx_start DIR PORT PROBE [HTTP_LINES [SERVER_LINES]]: writes DIR/nginx.conf (DIR is the
#   prefix: pid, logs, temp dirs and the document root DIR/www live there), starts nginx in the
#   foreground as a background job (sets ngx_pid) and waits up to 5 s until curl gets an
#   answer from http://127.0.0.1:PORT/PROBE. HTTP_LINES go into the http block, SERVER_LINES
#   into the server block, both as nginx directives. Returns 1, with nginx's error log on
#   stderr, when nginx does not come up. The caller kills $ngx_pid (on exit, in its trap).
# DIR must be readable by the unprivileged workers (chmod 755) and www/ by all.

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

nginx_start() {
    ngx_dir=$1 ngx_port=$2 ngx_probe=$3
    cat >"$ngx_dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events {
    worker_connections 4096;
}
http {
    default_type text/plain;
    access_log off;
    client_body_temp_path client_body;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    keepalive_timeout 60s;
${4:-}
    server {
        listen 127.0.0.1:$ngx_port;
        root www;
${5:-}
    }
}
EOF
    nginx -p "$ngx_dir/" -c "$ngx_dir/nginx.conf" -e "$ngx_dir/error.log" &
    ngx_pid=$!
    ngx_n=0
    until curl -s -o /dev/null "http://127.0.0.1:$ngx_port/$ngx_probe"; do
        ngx_n=$((ngx_n + 1))
        if [ $ngx_n -ge 50 ] || ! kill -0 "$ngx_pid" 2>/dev/null; then
            echo "${0##*/}: nginx did not come up:" >&2
            cat "$ngx_dir/error.log" >&2 2>/dev/null
            return 1
        fi
        sleep 0.1
    done
    return 0
}
