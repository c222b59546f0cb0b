# Content-Length with Transfer-Encoding: llhttp stays strict and rejects the response
# (RFC 9112 §6.1 smuggling risk); the error is recorded on the exchange.
>>>
GET / HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 3
Transfer-Encoding: chunked

0

===
txns=1
1 status=200 has_resp=1 resp_complete=0 flags=parse-error resp_err^=HPE_UNEXPECTED_CONTENT_LENGTH:
