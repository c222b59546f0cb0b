# Without --store-headers nothing is kept and nothing is flagged.
>>>
GET / HTTP/1.1
Host: a

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
1 nhdr=0 hdrs= flags=
