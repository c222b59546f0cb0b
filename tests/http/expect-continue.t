# 100-continue: the interim response is listed and does not end the exchange.
>>>
POST /upload HTTP/1.1
Host: h
Content-Length: 5
Expect: 100-continue

<<<
HTTP/1.1 100 Continue

>>>
hello\
<<<
HTTP/1.1 201 Created
Location: /upload/1
Content-Length: 0

===
txns=1
1 method=POST req_body=5 req_complete=1 status=201 reason=Created interim=100 location=/upload/1 resp_hdr=64 resp_complete=1 flags=
