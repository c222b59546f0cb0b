/*
 * test_store.c - the text forms of the store's values (store.c): an IPv4 address
 * formatted by hand reads exactly as inet_ntop writes it, for every value of every byte
 * and for random addresses, and an IPv6 address still follows inet_ntop (RFC 5952).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testhelp.h"

/* store_format_ip(4, ip) against inet_ntop; 0 when they agree. */
static int differs_v4(const uint8_t a[4])
{
    uint8_t ip[16] = {0};
    char got[46], want[46];
    memcpy(ip, a, 4);
    memset(got, 'x', sizeof got);
    store_format_ip(4, ip, got);
    inet_ntop(AF_INET, ip, want, sizeof want);
    if (strcmp(got, want) == 0)
        return 0;
    fprintf(stderr, "IPv4 %u.%u.%u.%u: got \"%.46s\", want \"%s\"\n", a[0], a[1], a[2], a[3],
            got, want);
    return 1;
}

static void test_ipv4_every_byte(void)
{
    int bad = 0;
    for (int pos = 0; pos < 4; pos++) {
        for (int v = 0; v < 256; v++) {
            uint8_t a[4] = {1, 20, 255, 0};
            a[pos] = (uint8_t)v;
            bad += differs_v4(a);
        }
    }
    CHECK_INT(bad, 0);
}

static void test_ipv4_random(void)
{
    int bad = 0;
    srand(6);
    for (int i = 0; i < 100000; i++) {
        uint8_t a[4];
        for (int k = 0; k < 4; k++)
            a[k] = (uint8_t)(rand() & 0xff);
        bad += differs_v4(a);
    }
    CHECK_INT(bad, 0);
    char out[46];
    uint8_t widest[16] = {255, 255, 255, 255};
    store_format_ip(4, widest, out);
    CHECK_STR(out, "255.255.255.255");
    uint8_t zero[16] = {0};
    store_format_ip(4, zero, out);
    CHECK_STR(out, "0.0.0.0");
}

static void test_ipv6(void)
{
    char out[46];
    uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    store_format_ip(6, ip, out);
    CHECK_STR(out, "2001:db8::1");
    uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1};
    store_format_ip(6, mapped, out);
    CHECK_STR(out, "::ffff:192.0.2.1");
}

int main(void)
{
    test_ipv4_every_byte();
    test_ipv4_random();
    test_ipv6();
    return TEST_REPORT();
}
