# Two spaces after the method: no request line for detection, though llhttp reads it.
# Only the first 32 bytes are kept while the client waits for the server; llhttp finds
# nothing wrong in them, so the request is cut where they end (truncated) and the
# response still answers it. Later requests are found at segment starts.
>>>
GET  /a-long-path-name HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 0

>>>
GET /b HTTP/1.1
Host: h

<<<
HTTP/1.1 204 No Content

===
txns=2
proto=http
1 method=GET uri=/a-long-path-name req_complete=0 req_err= status=200 flags=truncated
2 uri=/b status=204 flags=midstream
