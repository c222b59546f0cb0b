# A status line spread over three segments.
>>>
GET / HTTP/1.1

<<<
HTT\
<<<
P/1.1 2\
<<<
03 Non-Authoritative Information
Content-Length: 0

===
txns=1
1 status=203 reason="Non-Authoritative Information" resp_ver=1.1 resp_hdr=65 resp_complete=1 flags=
