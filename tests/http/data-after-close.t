# RFC 9112 §9.6: nothing may follow a message that closes the connection. llhttp would
# drop such bytes unseen; they are parsed and the message is marked with the error.
>>>
GET /1 HTTP/1.0

<<<
HTTP/1.1 200 OK
Connection: close
Content-Length: 2

ok

HTTP/1.1 200 OK
Content-Length: 1

x\
>>>
GET /2 HTTP/1.1

===
txns=3
1 uri=/1 req_ver=1.0 status=200 resp_body=2 flags=
2 has_req=0 has_resp=1 status=200 resp_body=1 resp_err="HPE_CLOSED_CONNECTION: Data after `Connection: close` (byte 0)" flags=parse-error
3 uri=/2 has_resp=0 req_complete=1 req_err="HPE_CLOSED_CONNECTION: Data after `Connection: close` (byte 0)" flags=parse-error
