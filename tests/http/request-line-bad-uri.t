# No request target after a valid exchange: llhttp rejects "HTTP/1.1" as one (byte 12);
# the line as sent still gives the method and the token after it, and the 400 answers it.
>>>
GET /a HTTP/1.1
Host: h

<<<
HTTP/1.1 204 No Content

>>>
OPTIONS HTTP/1.1
Host: h

<<<
HTTP/1.1 400 Bad Request
Content-Length: 0

===
txns=2
1 method=GET uri=/a status=204 flags=
2 method=OPTIONS uri=HTTP/1.1 status=400 flags=parse-error
2 req_err="HPE_INVALID_URL: Unexpected char in url schema (byte 12)"
