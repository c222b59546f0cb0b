# An Upgrade request answered without 101: HTTP/1.1 goes on (RFC 9110 §7.8).
>>>
GET /maybe-ws HTTP/1.1
Host: h
Upgrade: websocket
Connection: Upgrade

<<<
HTTP/1.1 200 OK
Content-Length: 2

no\
>>>
GET /next HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 3

yes\
===
txns=2
1 uri=/maybe-ws status=200 resp_body=2 flags=
2 uri=/next status=200 resp_body=3 flags=
