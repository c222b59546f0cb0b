#!/usr/bin/env python3
"""test_report_html.py - `httpcap report --format html` in a real browser. A capture whose
URI, Host and X-Request-Id carry <script> and <img onerror> (tests/tools/genhostile.c) is
read and rendered; headless Chromium loads the page and dumps its DOM: the class counts in
the DOM equal SQL over the database, the anomaly list equals the JSON report's, the title is
unchanged, no injected element or on* attribute exists and the hostile strings show as
text; a 1280 px screenshot is a real picture. Without chromium the test is skipped, never
passed. Prints "N passed, N failed".

Also: test_report_html.py --screenshot PAGE.html OUT.png (how samples/report.png is made).
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from testkit import HTTPCAP, ROOT, check, query, report, sane

BUILD = os.environ.get("BUILD", "build")
GENHOSTILE = os.path.join(ROOT, BUILD, "tests", "genhostile")
SCRIPT = "<script>document.title='PWNED'</script>"
IMG = "<img src=x onerror=document.title='PWNED'>"
IMG_URI = "/<img/src=x/onerror=document.title='PWNED'>"
CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "unanswered", "invalid")
WINDOW = "1280,2400"


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chrome(args, profile):
    """Run headless Chromium (as root it needs --no-sandbox) and return its stdout."""
    cmd = [browser(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + profile, "--hide-scrollbars"] + args
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=180)
    except subprocess.TimeoutExpired:
        check(False, "chromium did not finish in 180 s: %s" % " ".join(args))
        return ""
    return res.stdout.decode("utf-8", errors="replace")


def screenshot(page, png, profile):
    """Render page (a file) at 1280 px wide into png."""
    if os.path.exists(png):
        os.remove(png)
    chrome(["--window-size=" + WINDOW, "--screenshot=" + os.path.abspath(png),
            "file://" + os.path.abspath(page)], profile)


class Dom(html.parser.HTMLParser):
    """Every element with its attributes, the document title and all text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []
        self.title = None
        self.stack = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.stack.append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        while self.stack:
            t, attrs, text = self.stack.pop()
            if t == "title" and self.title is None:
                self.title = "".join(text)
            if self.stack:
                self.stack[-1][2].extend(text)
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)

    def cells(self, tag, cls):
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


def png_info(path):
    """(width, height, distinct decoded scanlines) of a PNG, or None when it is not one."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, ihdr = 8, b"", None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if not ihdr:
        return None
    w, h, depth, ctype = ihdr
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype, 4)
    stride = 1 + (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows = {raw[i:i + stride] for i in range(0, len(raw), stride)}
    return w, h, len(rows)


def run(args):
    res = subprocess.run([HTTPCAP] + args, capture_output=True)
    sane(res, " ".join(args))
    return res


def sql_classes(db):
    return dict(query(db, "SELECT CASE WHEN status IS NULL THEN 'unanswered'"
                          " WHEN status NOT BETWEEN 100 AND 599 THEN 'invalid' ELSE class END,"
                          " count(*) FROM v_transactions GROUP BY 1"))


def check_page(tmp, db, page, profile):
    raw = open(page, "rb").read().decode("utf-8")
    check("<script" not in raw.lower() and "<img" not in raw.lower(),
          "the page source holds a <script or <img tag")
    check("Content-Security-Policy" in raw and "default-src 'none'" in raw, "CSP meta tag")

    dom = Dom()
    dom.feed(chrome(["--dump-dom", "file://" + os.path.abspath(page)], profile))
    tags = [t for t, _ in dom.elements]
    check(len(tags) > 100 and "section" in tags, "DOM dumped: %d elements" % len(tags))
    check(dom.title == "httpcap report", "title after load: %r" % dom.title)
    for bad in ("script", "img", "iframe", "object", "embed", "b", "form"):
        check(bad not in tags, "injected <%s> element in the DOM" % bad)
    handlers = [(t, k) for t, a in dom.elements for k in a if k.lower().startswith("on")]
    check(not handlers, "event-handler attributes in the DOM: %r" % handlers[:5])
    text = "".join(dom.text)
    for s in (SCRIPT, IMG, IMG_URI, "/q?a=\"x\"&b='y'&c=<b>bold</b>"):
        check(s in text, "hostile string shown as text: %r" % s)
    check("rid-\ufffd\ufffd-\"'&<>" in text, "invalid UTF-8 shown as U+FFFD")

    # (2) class counts: DOM vs SQL
    want = sql_classes(db)
    got = {a.get("data-class"): a.get("data-count") for a in dom.cells("td", "count")}
    check(sorted(got) == sorted(CLASSES), "DOM classes %r" % sorted(got))
    for name in CLASSES:
        check(got.get(name) == str(want.get(name, 0)),
              "class %s: DOM %r, SQL %r" % (name, got.get(name), want.get(name, 0)))
    check(want.get("invalid") == 1 and want.get("unanswered") == 1 and want.get("5xx") == 6,
          "the capture plants 5xx (599 among them), invalid and unanswered: %r" % want)

    # (5) anomalies: DOM vs JSON
    res = run(["report", db, "--format", "json"])
    try:
        doc = json.loads(res.stdout.decode("utf-8"))
    except ValueError as e:
        check(False, "JSON report does not parse: %s" % e)
        return
    kinds = [a.get("kind") for a in doc.get("anomalies", [])]
    dom_kinds = [a.get("data-kind") for a in dom.cells("li", "anomaly")]
    check(dom_kinds == kinds, "anomalies: DOM %r, JSON %r" % (dom_kinds, kinds))
    for k in ("failing-endpoint", "rare-status", "unanswered-requests"):
        check(k in dom_kinds, "planted anomaly %s in the DOM: %r" % (k, dom_kinds))
    bands = {a.get("data-kind") for a in dom.cells("rect", "anomaly-band")}
    check(bands <= set(kinds), "series bands %r are anomalies" % bands)
    check(len(dom.cells("svg", "chart")) >= 3, "class, histogram and series charts")

    png = os.path.join(tmp, "report.png")
    screenshot(page, png, profile)
    info = png_info(png) if os.path.exists(png) else None
    check(info is not None and info[:2] == (1280, 2400), "screenshot PNG 1280x2400: %r" % (info,))
    check(info is not None and info[2] > 200, "screenshot has content: %r distinct rows" % (info,))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--screenshot":
        profile = tempfile.mkdtemp(prefix="httpcap-chrome-")
        try:
            screenshot(sys.argv[2], sys.argv[3], profile)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        return 0 if os.path.exists(sys.argv[3]) else 1
    if not browser():
        print("skipped: chromium not installed")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tmp = tempfile.mkdtemp(prefix="httpcap-html-")
    try:
        profile = os.path.join(tmp, "profile")
        res = subprocess.run([GENHOSTILE, tmp, "hostile"], capture_output=True)
        check(res.returncode == 0, "genhostile: %r" % res.stderr)
        db = os.path.join(tmp, "h.db")
        res = run(["read", "-q", os.path.join(tmp, "hostile.pcap"), "-o", db])
        check(res.returncode == 0, "read hostile.pcap: %r" % res.stderr)
        page = os.path.join(tmp, "report.html")
        res = run(["report", db, "--format", "html", "-o", page])
        check(res.returncode == 0 and os.path.exists(page),
              "report --format html: exit %d %r" % (res.returncode, res.stderr))
        if os.path.exists(page):
            check_page(tmp, db, page, profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
