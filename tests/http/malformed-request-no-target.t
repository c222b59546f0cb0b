# The client's start ends its line right after the method: no request line, so the
# client waits for the server, whose status line makes it a malformed request (llhttp:
# no space after the method). The uri is empty.
>>>
OPTIONS
Host: h

<<<
HTTP/1.1 400 Bad Request
Content-Length: 0

===
txns=1
proto=http
1 has_req=1 method=OPTIONS uri= status=400 flags=parse-error
1 req_err="HPE_INVALID_METHOD: Expected space after method (byte 7)"
