# A Content-Length that is not a decimal number: cl_invalid, and llhttp's parse-error.
>>>
GET /a HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 0x10

ok\
===
txns=1
1 uri=/a n_cl=1 cl_invalid=1 cl_differ=0 flags=parse-error resp_err^=HPE_INVALID_CONTENT_LENGTH:
