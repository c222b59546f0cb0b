# Nine 1xx before the final response: the first TXN_MAX_INTERIM (8) are listed, then field-cut.
>>>
GET / HTTP/1.1

<<<
HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 102 Processing

HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
1 status=200 interim=102,102,102,102,102,102,102,102 resp_complete=1 flags=field-cut
