# Bytes lost inside response headers: that response is cut, the side hunts for the next
# status line at a segment start, and pairing goes on in order.
>>>
GET /1 HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Cont\
!!! < 30
<<<
ength: 2

ok\
>>>
GET /2 HTTP/1.1
Host: h

<<<
HTTP/1.1 201 Created
Content-Length: 3

abc\
===
txns=2
1 uri=/1 has_resp=1 status=200 resp_complete=0 flags=gap,truncated
2 uri=/2 status=201 resp_body=3 resp_complete=1 flags=gap,midstream
