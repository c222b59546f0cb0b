# A header line without a colon breaks the first request (llhttp HPE_INVALID_HEADER_TOKEN);
# the request side resynchronises at the next segment that starts a request.
>>>
GET /broken HTTP/1.1
Host: h
NoColonHere

>>>
GET /fine HTTP/1.1
Host: h

<<<
HTTP/1.1 400 Bad Request
Content-Length: 0

HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 uri=/broken host=h req_complete=0 status=400 flags=parse-error req_err^=HPE_INVALID_HEADER_TOKEN:
2 uri=/fine status=200 resp_body=2 req_err= flags=midstream
