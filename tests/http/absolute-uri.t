# Absolute-form target (to a proxy): the uri is kept as sent, host from the Host header.
>>>
GET http://example.com/x?y=1 HTTP/1.1
Host: example.com

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
1 uri=http://example.com/x?y=1 host=example.com status=200
