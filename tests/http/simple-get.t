# One GET, one response with a Content-Length body.
>>>
GET /index.html HTTP/1.1
Host: example.com
User-Agent: curl/8.5.0
Accept: */*

<<<
HTTP/1.1 200 OK
Server: nginx/1.24.0
Content-Type: text/html; charset=utf-8
Content-Length: 5

hello\
===
txns=1
proto=http
client=CLIENT
1 has_req=1 has_resp=1 method=GET uri=/index.html host=example.com ua=curl/8.5.0 req_ver=1.1 req_complete=1 req_hdr=84 req_body=0 req_wire=0
1 status=200 reason=OK resp_ver=1.1 resp_complete=1 resp_hdr=100 resp_body=5 resp_wire=5 server=nginx/1.24.0 ctype="text/html; charset=utf-8" flags= nhdr=0
