# RFC 9110 §8.6: a Content-Length repeated with the same value may be accepted as that
# value; llhttp rejects any repeat, so the parser is let past an identical one. The
# facts still show two fields (n_cl=2) and no difference.
>>>
GET /a HTTP/1.1

GET /b HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 2
content-length:2 

okHTTP/1.1 200 OK
Content-Length: 3

abc\
===
txns=2
1 uri=/a status=200 resp_complete=1 resp_body=2 n_cl=2 cl_differ=0 cl_invalid=0 flags= resp_err=
2 uri=/b status=200 resp_complete=1 resp_body=3 n_cl=1 flags=
