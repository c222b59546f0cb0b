/*
 * test_endpoint.c - path templates: which segments become {id}, what is dropped, and
 * that a long or hostile target is cut inside the caller's buffer.
 */
#include <string.h>

#include "endpoint.h"
#include "testhelp.h"

static void expect(const char *uri, const char *want)
{
    char out[64];
    size_t n = endpoint_template(uri, out, sizeof out);
    CHECK_STR(out, want);
    CHECK_INT(n, strlen(out));
}

int main(void)
{
    expect("/", "/");
    expect("", "");
    expect("*", "*");
    expect("/api/users/123", "/api/users/{id}");
    expect("/api/users/123/orders?page=2#top", "/api/users/{id}/orders");
    expect("/o/550e8400-e29b-41d4-a716-446655440000/x", "/o/{id}/x");
    expect("/o/550e8400-e29b-41d4-a716-44665544000", "/o/550e8400-e29b-41d4-a716-44665544000");
    expect("/blob/d41d8cd98f00b204e9800998ecf8427e", "/blob/{id}");
    expect("/blob/deadbeefdeadbeefdeadbeef", "/blob/deadbeefdeadbeefdeadbeef");
    expect("/v1/abc123", "/v1/abc123");
    expect("/static/app.js", "/static/app.js");
    expect("/a//b/", "/a//b/");
    expect("/12/34/", "/{id}/{id}/");
    expect("http://example.com/users/7?x", "/users/{id}");
    expect("http://example.com", "/");
    expect("?only=query", "");
    expect("/images/47124.png", "/images/{id}.png");
    expect("/static/js/app.8fa50166.js", "/static/js/app.{id}.js");
    expect("/static/app.js", "/static/app.js");
    expect("/v/1.2", "/v/1.2");
    expect("/f/.png", "/f/.png");
    expect("/f/a.b.c.d", "/f/a.b.c.d");
    expect("/d/20261128.tar.gz", "/d/{id}.tar.gz");
    char out[16];
    size_t n = endpoint_template("/aaaa/bbbb/cccc/dddd/eeee", out, sizeof out);
    CHECK(n < sizeof out);
    CHECK_STR(out, "/aaaa/bbbb...");
    n = endpoint_template("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out, 8);
    CHECK(n < 8);
    CHECK_STR(out, "...");
    return TEST_REPORT();
}
