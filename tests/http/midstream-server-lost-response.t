# The server's stream was picked up inside the body of the answer to /a.jpg (its start
# was not captured): the first status line found answers /b.jpg, sent after it; /a.jpg
# goes out unanswered, flagged gap.
@start_server=0
>>>
GET /a.jpg HTTP/1.1
Host: h

<<<
\xff\xd8\xff\xe0 the rest of a body whose header was not captured\
>>>
GET /b.jpg HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 3

abc\
>>>
GET /c.jpg HTTP/1.1
Host: h

<<<
HTTP/1.1 200 OK
Content-Length: 1

z\
===
txns=3
1 uri=/a.jpg has_resp=0 flags=gap
2 uri=/b.jpg status=200 resp_body=3 flags=midstream
3 uri=/c.jpg status=200 resp_body=1 flags=
