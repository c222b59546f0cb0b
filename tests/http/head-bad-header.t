# A HEAD request rejected in its headers: its method was known from its line, so the
# 400 that answers it ends at its blank line (RFC 9112 §6.3 (1)) whatever its
# Content-Length, and the next response is read from the right place.
>>>
HEAD / HTTP/1.1
Host: h
NoColonHere

<<<
HTTP/1.1 400 Bad Request
Content-Length: 925

>>>
GET /next HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 method=HEAD uri=/ req_err^=HPE_INVALID_HEADER_TOKEN: flags=parse-error
1 status=400 resp_complete=1 resp_body=0
2 method=GET uri=/next status=200 resp_body=2 flags=midstream
