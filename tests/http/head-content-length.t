# RFC 9112 §6.3 (1): a response to HEAD ends at its blank line whatever Content-Length says;
# the next response follows at once.
>>>
HEAD /big HTTP/1.1
Host: h

GET /small HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 1000

HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 method=HEAD status=200 resp_body=0 resp_wire=0 resp_hdr=41 resp_complete=1 flags= after_bodyless=0 n_cl=1
2 method=GET uri=/small status=200 resp_body=2 flags=
