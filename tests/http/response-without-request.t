# The capture began mid-connection: a response with no request is kept (response-without-request);
# the next request is found at a segment start.
@start_client=0
@start_server=0
<<<
HTTP/1.1 200 OK
Content-Length: 2

hi\
>>>
GET /next HTTP/1.1
Host: h

<<<
HTTP/1.1 304 Not Modified

===
txns=2
1 has_req=0 has_resp=1 status=200 resp_body=2 resp_complete=1 method= uri= flags=midstream
2 has_req=1 uri=/next status=304 flags=midstream
