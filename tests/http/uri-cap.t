# --max-uri-bytes: a target longer than the cap (16 here) is kept cut, flagged uri-cut.
@max_uri_bytes=16
>>>
GET /0123456789abcdefghij HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
1 uri=/0123456789abcde status=200 flags=uri-cut
