# Roles unknown: the side that starts with something else waits, and the other side's
# status line makes it the client, with a malformed request.
@learn=1
>>>
get / HTTP/1.1
Host: h

<<<
HTTP/1.1 400 Bad Request
Content-Length: 0

===
txns=1
proto=http
client=CLIENT
1 has_req=1 method=get uri=/ req_err^=HPE_INVALID_METHOD: status=400 flags=parse-error
