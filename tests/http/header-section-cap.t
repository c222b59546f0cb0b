# --max-header-bytes: a start line and header section past the cap (64 bytes here) is
# rejected as Node does (HPE_HEADER_OVERFLOW); the side resynchronises at the next request.
@max_header_section=64
>>>
GET /big HTTP/1.1
Host: h
X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

>>>
GET /fine HTTP/1.1
Host: h

<<<
HTTP/1.1 431 Too Large
Content-Length: 0

HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 uri=/big host=h req_complete=0 status=431 flags=parse-error req_err="HPE_HEADER_OVERFLOW: Header section larger than 64 bytes (byte 64)"
2 uri=/fine status=200 resp_body=2 req_err= flags=midstream
