# Bytes that start neither a request, a response nor TLS: another protocol.
>>>
\x00\x01\x02\xff\xfe GET / HTTP/1.1
<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=0
proto=other
