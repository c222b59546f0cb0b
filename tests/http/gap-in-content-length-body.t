# Bytes lost inside a body of known length are stepped over; parsing goes on.
>>>
GET /1 HTTP/1.1

GET /2 HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 10

01234\
!!! < 3
<<<
89HTTP/1.1 200 OK
Content-Length: 1

z\
===
txns=2
1 uri=/1 status=200 resp_body=10 resp_wire=10 resp_complete=1 flags=gap body_truncated=0
2 uri=/2 status=200 resp_body=1 resp_complete=1 flags=
