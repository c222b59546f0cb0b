# Client side unknown and the request was not captured (mid-stream on the client side):
# the side starting with a status line is the server.
@learn=1
@start_client=0
<<<
HTTP/1.1 200 OK
Content-Length: 0

>>>
GET /two HTTP/1.1

<<<
HTTP/1.1 204 No Content

===
txns=2
client=CLIENT
1 has_req=0 status=200
2 uri=/two status=204 flags=midstream
