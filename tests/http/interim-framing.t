# Content-Length or Transfer-Encoding in a 1xx (RFC 9110 §8.6, RFC 9112 §6.1) is noted
# apart from the final response's fields; the first exchange's 100 carries neither.
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 100 Continue

HTTP/1.1 200 OK
Content-Length: 2

okHTTP/1.1 100 Continue
Content-Length: 0

HTTP/1.1 103 Early Hints
Transfer-Encoding: chunked
Link: </s.css>; rel=preload

HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 uri=/a status=200 interim=100 interim_cl=0 interim_te=0 n_cl=1 has_te=0 flags=
2 uri=/b status=200 interim=100,103 interim_cl=1 interim_te=1 n_cl=1 has_te=0 resp_body=2 flags=
