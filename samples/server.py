#!/usr/bin/env python3
"""server.py [PORT] - the python side of samples/make-sample.sh.

A small http.server (HTTP/1.1, keep-alive, one thread per connection) on 127.0.0.1 that
answers with chosen statuses and framings, so the capture holds what nginx alone would not:
103 Early Hints, 100 Continue from python, chunked bodies in several segments, an HTTP/1.0
close-delimited body, 307/409/418/422 and a slow response.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sample-py/1.0"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def body(self, status, data, ctype="text/plain; charset=utf-8", headers=()):
        """A response with Content-Length (no body for HEAD)."""
        if isinstance(data, str):
            data = data.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        rid = self.headers.get("X-Request-ID")
        if rid:
            self.send_header("X-Request-ID", rid)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        p = url.path
        if p == "/hello":
            self.body(200, "hello from python\n")
        elif p == "/json":
            self.body(200, json.dumps({"id": q.get("id", ["0"])[0], "ok": True}) + "\n",
                      "application/json")
        elif p == "/chunked":
            # Transfer-Encoding: chunked, each chunk flushed on its own after a pause.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(4):
                part = ("chunk %d of 4\n" % (i + 1)).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
        elif p == "/early-hints":
            self.send_response_only(103)
            self.send_header("Link", "</style.css>; rel=preload; as=style")
            self.end_headers()
            self.wfile.flush()
            time.sleep(0.05)
            self.body(200, "<html>page after early hints</html>\n", "text/html")
        elif p == "/legacy":
            # An HTTP/1.0 response whose body ends when the connection closes.
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"HTTP/1.0 body without Content-Length,\nended by the close.\n")
        elif p == "/slow":
            time.sleep(int(q.get("ms", ["300"])[0]) / 1000.0)
            self.body(200, "slow answer\n")
        elif p == "/moved":
            self.body(307, "see /hello\n", headers=[("Location", "/hello")])
        elif p == "/teapot":
            self.body(418, "I'm a teapot\n")
        elif p == "/retry":
            self.body(503, "overloaded, retry later\n", headers=[("Retry-After", "5")])
        else:
            self.send_error(404, "Not Found")

    do_HEAD = do_GET

    def do_POST(self):
        p = urlsplit(self.path).path
        data = self.read_body()
        if p == "/upload":
            self.body(201, "stored %d bytes\n" % len(data),
                      headers=[("Location", "/uploads/1")])
        elif p == "/validate":
            self.body(422, json.dumps({"error": "field 'name' is required"}) + "\n",
                      "application/json")
        else:
            self.send_error(404, "Not Found")

    def do_PUT(self):
        self.read_body()
        if urlsplit(self.path).path == "/items/42":
            self.body(409, "version conflict\n")
        else:
            self.send_response(204)
            self.end_headers()

    def do_DELETE(self):
        self.send_response(204)
        self.end_headers()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8082
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
