# No SYN seen (client side unknown) and the client sits on side 1: its request says so.
@client=1
@learn=1
>>>
GET /who HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 0

===
txns=1
client=CLIENT
1 uri=/who status=200 flags=
