# The request id comes from the first PRESENT source in priority order (X-Request-ID,
# X-Correlation-ID, traceparent, X-Amzn-Trace-Id, X-B3-TraceId, CF-Ray), not by position.
>>>
GET /1 HTTP/1.1
CF-Ray: 8a1b2c3d4e5f-AMS
traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
x-request-id:   req-42  
X-Request-ID: second-ignored

GET /2 HTTP/1.1
CF-Ray: ray-2
X-B3-TraceId: b3-2
X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678

GET /3 HTTP/1.1
X-Correlation-ID: corr-3
traceparent: tp-3

<<<
HTTP/1.1 200 OK
Content-Length: 0

HTTP/1.1 200 OK
Content-Length: 0

HTTP/1.1 200 OK
Content-Length: 0

===
txns=3
1 rid=req-42
2 rid=Root=1-67891233-abcdef012345678912345678
3 rid=corr-3
