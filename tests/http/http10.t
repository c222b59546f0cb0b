# HTTP/1.0 both ways; the response body ends with the connection.
>>>
GET /old HTTP/1.0
User-Agent: Lynx/2.8

<<<
HTTP/1.0 200 OK
Server: old/1

legacy body\
===
txns=1
1 req_ver=1.0 resp_ver=1.0 ua=Lynx/2.8 server=old/1 status=200 resp_body=11 resp_complete=1 flags=
