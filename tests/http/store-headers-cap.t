# --store-headers with a 30-byte cap: lines that fit are kept, then headers-cut.
# Each line costs 3 bytes more than its name and value.
@store_headers=1
@max_stored_header_bytes=30
>>>
GET / HTTP/1.1
Host: a
Accept: */*

<<<
HTTP/1.1 200 OK
Content-Length: 2

ok\
===
txns=1
1 nhdr=2 hdrs=q:Host:a|q:Accept:*/* flags=headers-cut
