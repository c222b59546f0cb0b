# --store-headers: every header line of both messages, in order, values trimmed.
@store_headers=1
@max_stored_header_bytes=4096
>>>
GET / HTTP/1.1
Host: h
Accept:   */*  

<<<
HTTP/1.1 100 Continue
X-Interim: 1

HTTP/1.1 200 OK
Content-Length: 2
X-Empty:

ok\
===
txns=1
1 nhdr=5 hdrs=q:Host:h|q:Accept:*/*|s:X-Interim:1|s:Content-Length:2|s:X-Empty: flags=
