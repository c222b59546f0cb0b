# --max-headers: fields past the cap (2 here) are not examined: the Host and Content-Type
# that come third are not kept, and the exchange is flagged field-cut. Framing is llhttp's.
@max_headers=2
>>>
GET /x HTTP/1.1
Accept: */*
User-Agent: u
Host: h

<<<
HTTP/1.1 200 OK
Server: s
Content-Length: 2
Content-Type: text/plain

ok\
===
txns=1
1 uri=/x ua=u host= server=s ctype= status=200 resp_body=2 flags=field-cut
