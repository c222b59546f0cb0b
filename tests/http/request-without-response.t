# The connection ends with a request unanswered (request-without-response).
>>>
GET /first HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 0

>>>
GET /never HTTP/1.1
Host: h

===
txns=2
1 uri=/first status=200 flags=
2 uri=/never has_req=1 has_resp=0 req_complete=1 status=0 resp_complete=0 flags=
