# Three requests in one segment, three responses in one segment: paired in order.
>>>
GET /1 HTTP/1.1
Host: h

GET /2 HTTP/1.1
Host: h

POST /3 HTTP/1.1
Host: h
Content-Length: 4

data\
<<<
HTTP/1.1 200 OK
Content-Length: 1

aHTTP/1.1 404 Not Found
Content-Length: 2

bbHTTP/1.1 500 Internal Server Error
Content-Length: 3

ccc\
===
txns=3
1 uri=/1 status=200 resp_body=1 resp_hdr=38 req_hdr=28 flags=
2 uri=/2 status=404 resp_body=2 resp_hdr=45 flags=
3 method=POST uri=/3 req_body=4 req_wire=4 status=500 resp_body=3 resp_hdr=57 flags=
