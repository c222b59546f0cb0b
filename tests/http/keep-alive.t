# Two exchanges one after the other on a persistent connection (RFC 9112 §9.3).
>>>
GET /a HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 3

abc\
>>>
GET /b HTTP/1.1
Host: h

<<<
HTTP/1.1 404 Not Found
Content-Length: 0

===
txns=2
1 uri=/a status=200 resp_body=3 flags=
2 uri=/b status=404 reason="Not Found" resp_body=0 resp_complete=1 flags=
