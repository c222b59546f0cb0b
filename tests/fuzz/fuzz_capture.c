/*
 * fuzz_capture.c - libFuzzer target for a whole capture: the input is a pcap or pcapng
 * file read by pipeline_read() end to end (source, decode, flow, reasm, http, rules,
 * writer, store) into an in-memory SQLite database.
 * Owns: a memfd holding the input for the run; small caps, so eviction, the reassembly
 *       cap and the pending-request cap are reached by small inputs; an input of odd size
 *       is read through a BPF filter (compiled per link type), one of even size without.
 * Out:  crashes on bad memory, a leak, or a result that breaks pipeline_read's contract.
 * Never: writes a file or keeps state between inputs (the memfd is closed every run).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pipeline.h"

/* The smallest record that yields a packet: a pcap record header or a pcapng simple
 * packet block. */
#define MIN_RECORD_BYTES 16

/* Compiles for most link types; where it does not, that link type's packets never match. */
#define FILTER "not port 9"

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void check_result(int rc, const char *err, const struct pipeline_summary *sum,
                         size_t size)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(memchr(err, '\0', HTTPCAP_ERRBUF) != NULL);
    if (rc == -1)
        FUZZ_CHECK(err[0] != '\0');
    FUZZ_CHECK(sum->packets <= size / MIN_RECORD_BYTES);
    FUZZ_CHECK(sum->connections <= sum->packets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_capture", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (write_all(fd, data, size) == 0) {
        struct pipeline_options o;
        pipeline_defaults(&o);
        o.db_path = ":memory:";
        o.quiet = 1;
        o.store_headers = 1;
        o.max_connections = 8;
        o.reasm_cap_bytes = 16u << 10;
        o.max_pending = 8;
        o.max_header_bytes = 4096;
        o.filter = size % 2 ? FILTER : NULL;
        struct pipeline_summary sum;
        memset(&sum, 0, sizeof sum);
        char err[HTTPCAP_ERRBUF] = "";
        const char *files[1] = {path};
        int rc = pipeline_read(&o, files, 1, &sum, err);
        check_result(rc, err, &sum, size);
    }
    close(fd);
    return 0;
}
