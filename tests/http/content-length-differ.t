# RFC 9112 §6.3 (5): Content-Length fields with different values make the framing
# unknowable: parse-error (llhttp's own error name) and cl_differ; the response side
# resynchronises at the next status line.
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 2
Content-Length: 3

abc
<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=2
1 uri=/a status=200 resp_complete=0 n_cl=2 cl_differ=1 cl_invalid=0 flags=parse-error resp_err^="HPE_UNEXPECTED_CONTENT_LENGTH: Duplicate Content-Length"
2 uri=/b status=200 resp_complete=1 resp_body=2 n_cl=1 cl_differ=0 flags=midstream
