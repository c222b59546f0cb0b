# Header names and values split across segments are gathered whole; OWS trimmed.
>>>
GET / HTTP/1.1
Ho\
>>>
st:  split.example\
>>>
  
User-Agent: Mozilla/5.0 (X11; \
>>>
Linux x86_64)
X-Correlation-ID:\
>>>
 c-1

<<<
HTTP/1.1 302 Found
Loca\
<<<
tion: https://split.example/\
<<<
login
Content-Encoding: gzip
Content-Length: 0

===
txns=1
1 host=split.example ua="Mozilla/5.0 (X11; Linux x86_64)" rid=c-1 status=302 location=https://split.example/login cenc=gzip flags=
