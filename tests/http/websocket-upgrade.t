# RFC 9110 §15.2.2: after 101 the connection speaks another protocol (here WebSocket frames).
>>>
GET /chat HTTP/1.1
Host: h
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
Sec-WebSocket-Version: 13

<<<
HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=

\x81\x05Hello\
>>>
\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\
<<<
\x88\x00\
===
txns=1
1 uri=/chat status=101 reason="Switching Protocols" resp_complete=1 resp_body=0 flags=upgrade
