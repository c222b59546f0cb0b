# A method of non-token bytes, answered 405, then a valid request on the same connection
# (found at the next segment start): the first request is kept with llhttp's error.
>>>
\xc3\x83\xc2\x83 / HTTP/1.1
Host: h

<<<
HTTP/1.1 405 Method Not Allowed
Content-Length: 0

>>>
GET /ok HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=2
proto=http
1 has_req=1 uri=/ req_err^=HPE_INVALID_METHOD: status=405 flags=parse-error
2 method=GET uri=/ok status=200 flags=midstream
