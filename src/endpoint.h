/*
 * endpoint.h - the path template that groups requests into endpoints for the report:
 * "/api/users/123/orders?x=1" -> "/api/users/{id}/orders". Numeric, UUID and hex-hash
 * path segments become {id}; the query string and fragment are dropped; an absolute-form
 * target ("http://host/path") keeps only its path.
 */
#ifndef HTTPCAP_ENDPOINT_H
#define HTTPCAP_ENDPOINT_H

#include <stddef.h>

/*
 * Write the template of uri (NUL-terminated, any bytes) into out (cap >= 8 bytes), cut at
 * a segment boundary with "..." appended when it does not fit. "*" and other targets
 * that do not start with '/' are kept as they are (cut to cap). Returns the length
 * written (without the NUL). Cannot fail.
 */
size_t endpoint_template(const char *uri, char *out, size_t cap);

#define ENDPOINT_PART_MAX 256                        /* bytes of a method, host or template */
#define ENDPOINT_KEY_CAP (3 * ENDPOINT_PART_MAX + 2) /* room endpoint_key() needs */

/*
 * Write the endpoint of a request, "METHOD host /template", into out (ENDPOINT_KEY_CAP
 * bytes, NUL-terminated): host "-" when NULL, uri "" when NULL, method and host cut at
 * ENDPOINT_PART_MAX - 1 bytes, the template at ENDPOINT_PART_MAX. The report groups by it
 * (report_scan.c) and SQL sees it as httpcap_endpoint() (report_db.c). method must not be
 * NULL. Returns the length written. Cannot fail.
 */
size_t endpoint_key(const char *method, const char *host, const char *uri, char *out);

#endif
