# A valid exchange, then a request with a method llhttp does not know: the failed
# request is queued with its error, so the 405 answers it, method and uri as sent.
>>>
GET / HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
>>>
CCM_POST /x HTTP/1.1
Host: h

<<<
HTTP/1.1 405 Method Not Allowed
Content-Length: 0

===
txns=2
1 method=GET uri=/ status=200 flags=
2 has_req=1 method=CCM_POST uri=/x req_complete=0 status=405 flags=parse-error
2 req_err="HPE_INVALID_METHOD: Invalid method encountered (byte 1)"
