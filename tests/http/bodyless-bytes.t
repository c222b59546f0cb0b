# RFC 9112 §6.3 (1): a response to HEAD ends at its blank line. Bytes the server sends
# before the next status line are counted for it (no-content-has-body), not taken for
# an exchange; the next response is found at its segment and answers the next request.
>>>
HEAD /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 5

hello\
<<<
world
<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 method=HEAD uri=/a status=200 resp_complete=1 resp_body=0 after_bodyless=12 flags=
2 method=GET uri=/b status=200 resp_complete=1 resp_body=2 after_bodyless=0 flags=
