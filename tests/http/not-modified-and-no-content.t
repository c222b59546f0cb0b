# RFC 9112 §6.3 (1): 304 and 204 end at the blank line, even with a Content-Length.
>>>
GET /cached HTTP/1.1
If-None-Match: "x"

DELETE /thing HTTP/1.1

GET /after HTTP/1.1

<<<
HTTP/1.1 304 Not Modified
ETag: "x"
Content-Length: 100

HTTP/1.1 204 No Content
Content-Length: 7

HTTP/1.1 200 OK
Content-Length: 1

z\
===
txns=3
1 status=304 resp_body=0 resp_wire=0 resp_complete=1 flags=
2 method=DELETE status=204 resp_body=0 resp_complete=1 flags=
3 uri=/after status=200 resp_body=1 flags=
