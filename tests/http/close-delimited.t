# No Content-Length, no chunking: the body runs until the server closes (RFC 9112 §6.3 (8)).
>>>
GET /stream HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Type: text/plain

first part \
<<<
second part\
===
txns=1
1 status=200 resp_complete=1 resp_body=22 resp_wire=22 ctype=text/plain flags= body_truncated=0
