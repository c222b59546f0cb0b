/*
 * errbuf.h - the size of the one-line error buffers that setup and I/O functions fill.
 * A function that fails returns -1 or NULL and writes one line (no newline) into
 * the caller's char err[HTTPCAP_ERRBUF], like libpcap's errbuf.
 */
#ifndef HTTPCAP_ERRBUF_H
#define HTTPCAP_ERRBUF_H

#define HTTPCAP_ERRBUF 512

#endif
