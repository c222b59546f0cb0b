# A 204 followed at once by the next response has nothing after it; a 304 followed by
# bytes before the next status line has them counted (RFC 9112 §6.3 (1)).
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

GET /c HTTP/1.1

<<<
HTTP/1.1 204 No Content

HTTP/1.1 304 Not Modified

xyz
<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=3
1 uri=/a status=204 resp_complete=1 after_bodyless=0 flags=
2 uri=/b status=304 resp_complete=1 after_bodyless=5 flags=
3 uri=/c status=200 resp_complete=1 resp_body=2 after_bodyless=0 flags=
