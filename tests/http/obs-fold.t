# RFC 9112 §5.2: a header line starting with SP or HTAB continues the previous one
# (obs-fold). llhttp accepts it; the fact is recorded for the final response (obs-fold).
# The second exchange folds nothing (a near miss: SP inside a value, not at a line start).
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 200 OK
X-A: one
 two
X-B: three
\x09four
Content-Length: 2

okHTTP/1.1 200 OK
X-A: one two
Content-Length: 2

ok\
===
txns=2
1 uri=/a status=200 resp_complete=1 resp_body=2 obs_fold=1 flags=
2 uri=/b status=200 resp_complete=1 resp_body=2 obs_fold=0 flags=
