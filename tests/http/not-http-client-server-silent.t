# The client's start is no request line and the server says nothing: another protocol,
# nothing stored.
>>>
HELLO-THERE
\x01\x02\x03
===
txns=0
proto=other
