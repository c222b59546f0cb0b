# A TLS ClientHello at the stream start: the connection is TLS, nothing is parsed.
>>>
\x16\x03\x01\x00\x2e\x01\x00\x00\x2a\x03\x03GET / HTTP/1.1
<<<
\x16\x03\x03\x00\x10HTTP/1.1 200 OK
===
txns=0
proto=tls
