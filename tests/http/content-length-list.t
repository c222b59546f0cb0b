# RFC 9110 §8.6: "Content-Length: 2, 2" is a list of identical values: not invalid, no
# difference. llhttp takes no list and rejects it (a recipient may, RFC 9110 §8.6):
# parse-error. A value that is no number at all is cl_invalid (content-length-invalid.t).
>>>
GET /a HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 2, 2

ok\
===
txns=1
1 uri=/a n_cl=1 cl_invalid=0 cl_differ=0 flags=parse-error resp_err^=HPE_INVALID_CONTENT_LENGTH:
