# A 100 Continue and then the connection ends: no final response, the interim is listed.
>>>
PUT /x HTTP/1.1
Content-Length: 3
Expect: 100-continue

<<<
HTTP/1.1 100 Continue

===
txns=1
1 method=PUT has_resp=0 status=0 interim=100 resp_complete=0 req_complete=0 req_body=0 flags=truncated
