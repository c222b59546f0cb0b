# RFC 9110 §9.3.6: a 2xx to CONNECT makes a tunnel; nothing after it is parsed as HTTP.
>>>
CONNECT example.com:443 HTTP/1.1
Host: example.com:443

<<<
HTTP/1.1 200 Connection Established

\x16\x03\x03\x00\x10server hello....\
>>>
\x16\x03\x01\x00\x05helloGET /not-http HTTP/1.1\
<<<
HTTP/1.1 200 OK not parsed\
===
txns=1
proto=http
1 method=CONNECT uri=example.com:443 host=example.com:443 status=200 resp_body=0 resp_wire=0 resp_complete=1 req_complete=1 flags=tunnel
