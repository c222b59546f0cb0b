# The server closes before the announced body arrived (body-truncated).
>>>
GET /big HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 10

12345\
===
txns=1
1 status=200 has_resp=1 resp_complete=0 resp_body=5 resp_wire=5 n_cl=1 body_truncated=1 flags=truncated
