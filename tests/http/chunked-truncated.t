# The server closes before the last chunk (body-truncated).
>>>
GET /a HTTP/1.1

<<<
HTTP/1.1 200 OK
Transfer-Encoding: chunked

5
hello
\
===
txns=1
1 status=200 has_resp=1 resp_complete=0 resp_body=5 has_te=1 n_cl=0 body_truncated=1 flags=truncated
