# A chunked request body: decoded and wire sizes.
>>>
POST /api HTTP/1.1
Host: h
Transfer-Encoding: chunked
Content-Type: application/json

a
{"k":"v1"}
0

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
1 method=POST req_body=10 req_wire=20 req_complete=1 status=200 ctype= flags=
