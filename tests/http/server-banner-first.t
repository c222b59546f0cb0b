# The server speaks first with something that is not HTTP (an FTP banner): another
# protocol, even though the client's commands look like request lines.
<<<
220 ftp.example.com ready
>>>
USER anonymous
<<<
331 Password required
===
txns=0
proto=other
