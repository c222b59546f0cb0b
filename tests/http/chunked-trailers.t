# Chunked body with an extension and a trailer: decoded vs wire sizes (RFC 9112 §7.1).
>>>
GET /chunks HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Transfer-Encoding: chunked
Trailer: X-Checksum

5;ext=1
hello
6
 world
0
X-Checksum: abc

===
txns=1
1 status=200 resp_body=11 resp_wire=49 resp_hdr=68 resp_complete=1 flags=
