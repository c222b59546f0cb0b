# More bytes were lost than the body had left: the message is dropped before its end
# (body-truncated), and the next response is found by hunting.
>>>
GET /1 HTTP/1.1

GET /2 HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 10

01234\
!!! < 30
<<<
HTTP/1.1 200 OK
Content-Length: 1

z\
===
txns=2
1 uri=/1 status=200 resp_complete=0 n_cl=1 body_truncated=1 flags=gap,truncated
2 uri=/2 status=200 resp_body=1 resp_complete=1 body_truncated=0
