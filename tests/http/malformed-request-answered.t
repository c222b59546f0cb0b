# The client's start is no request line (no space after the method), but the server
# answers with a status line: the connection is HTTP and the client's message is a
# malformed request, rejected by llhttp, that the 400 answers. Its method and uri are
# kept as sent (up to the first space, and to the next).
>>>
OPTIONSHTTP/1.1
Host: www.example.com

<<<
HTTP/1.0 400 Bad Request
Content-Length: 3

bad\
===
txns=1
proto=http
client=CLIENT
1 has_req=1 method=OPTIONSHTTP/1.1 uri= req_complete=0 flags=parse-error
1 req_err="HPE_INVALID_METHOD: Expected space after method (byte 7)"
1 has_resp=1 status=400 resp_body=3 resp_complete=1
