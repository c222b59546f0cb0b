# The server's answer to /2 is lost whole in a gap: the response found after it answers
# the newest request that was over when it began (/3); /2 goes out unanswered, flagged
# gap, instead of every later response pairing one request too early.
>>>
GET /1 HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
>>>
GET /2 HTTP/1.1
Host: h

!!! < 80
>>>
GET /3 HTTP/1.1
Host: h

<<<
HTTP/1.1 203 Non-Authoritative Information
Content-Length: 0

>>>
GET /4 HTTP/1.1
Host: h

<<<
HTTP/1.1 204 No Content

===
txns=4
1 uri=/1 status=200 flags=
2 uri=/2 has_resp=0 flags=gap
3 uri=/3 status=203 flags=gap,midstream
4 uri=/4 status=204 flags=
