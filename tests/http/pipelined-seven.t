# Seven pipelined requests (the FIFO grows past its first allocation) and seven answers.
>>>
GET /1 HTTP/1.1

GET /2 HTTP/1.1

GET /3 HTTP/1.1

GET /4 HTTP/1.1

GET /5 HTTP/1.1

GET /6 HTTP/1.1

GET /7 HTTP/1.1

<<<
HTTP/1.1 200 OK
Content-Length: 1

0\
HTTP/1.1 201 OK
Content-Length: 1

1\
HTTP/1.1 202 OK
Content-Length: 1

2\
HTTP/1.1 203 OK
Content-Length: 1

3\
HTTP/1.1 206 OK
Content-Length: 1

4\
HTTP/1.1 207 OK
Content-Length: 1

5\
HTTP/1.1 208 OK
Content-Length: 1

6\
===
txns=7
1 uri=/1 status=200 resp_body=1 flags=
2 uri=/2 status=201 resp_body=1 flags=
3 uri=/3 status=202 resp_body=1 flags=
4 uri=/4 status=203 resp_body=1 flags=
5 uri=/5 status=206 resp_body=1 flags=
6 uri=/6 status=207 resp_body=1 flags=
7 uri=/7 status=208 resp_body=1 flags=
