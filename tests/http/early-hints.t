# 103 Early Hints (RFC 8297) then the final response; several 1xx are all listed.
>>>
GET /page HTTP/1.1
Host: h

<<<
HTTP/1.1 103 Early Hints
Link: </style.css>; rel=preload; as=style

HTTP/1.1 102 Processing

HTTP/1.1 200 OK
Content-Type: text/html
Content-Length: 4

page\
===
txns=1
1 status=200 interim=103,102 ctype=text/html resp_body=4 resp_hdr=63 resp_complete=1 flags=
