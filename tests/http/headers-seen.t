# The headers rules.c checks are noted per message (names in any case). Connection
# counts only with the token "close", Expect only as "100-continue" (RFC 9110 §7.6.1,
# §10.1.1): the first exchange holds near misses only.
>>>
GET /a HTTP/1.1
Connection: keep-alive, closed
Expect: 100-continues
X-Range: 1

GET /b HTTP/1.1
RANGE: bytes=0-1
expect: 100-Continue
Upgrade: h2c, websocket
Connection: keep-alive,  Close , upgrade

<<<
HTTP/1.1 200 OK
Connection: keep-alive
X-Date: 1
Content-Length: 0

HTTP/1.1 416 Range Not Satisfiable
Location: /x
WWW-Authenticate: Basic
allow: GET
Proxy-Authenticate: Basic
Content-Range: bytes */10
Upgrade:  websocket 
Date: Mon, 01 Jan 2024 00:00:00 GMT
Retry-After: 5
Connection: CLOSE
Content-Length: 0

===
txns=2
1 uri=/a status=200 req_has= resp_has= req_upgrade= resp_upgrade= flags=
2 uri=/b status=416 req_has=upgrade,range,expect,connection req_upgrade="h2c, websocket" resp_has=location,www-authenticate,allow,proxy-authenticate,content-range,upgrade,date,retry-after,connection resp_upgrade=websocket
