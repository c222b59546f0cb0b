# Content-Length with Transfer-Encoding: chunked in a response: RFC 9112 §6.3 (3) says
# Transfer-Encoding wins, so the body is parsed as chunked (the next response follows at
# once); the facts n_cl and has_te let rules.c flag the breach.
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 3
Transfer-Encoding: chunked

5
hello
0

HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 uri=/a status=200 has_resp=1 resp_complete=1 resp_body=5 n_cl=1 has_te=1 cl_differ=0 flags= resp_err=
2 uri=/b status=200 resp_complete=1 resp_body=2 n_cl=1 has_te=0 flags=
