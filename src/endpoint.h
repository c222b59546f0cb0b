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

#endif
