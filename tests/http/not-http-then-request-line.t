# Roles unknown: one side starts with something that is not HTTP, the other with what
# looks like a request line. HTTP servers never speak first, so the waiting side was no
# HTTP client and the connection is another protocol.
@learn=1
>>>
* OK IMAP4rev1 ready
<<<
A1 LOGIN user pass
===
txns=0
proto=other
