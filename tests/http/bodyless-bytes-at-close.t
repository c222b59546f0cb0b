# Bytes after a response to HEAD until the connection ends are counted for it.
>>>
HEAD /a HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 3

abc\
===
txns=1
1 method=HEAD status=200 resp_complete=1 after_bodyless=3 flags=
