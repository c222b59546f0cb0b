# Bytes that start neither a request, a response nor TLS, on both sides: another protocol.
# (The client's start alone decides nothing: the server's answer could still be HTTP.)
>>>
\x00\x01\x02\xff\xfe GET / HTTP/1.1
<<<
\x00\x00\x00\x05hello\
===
txns=0
proto=other
