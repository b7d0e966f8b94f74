/*
 * utf8: validation of UTF-8 text that arrives from peers (RFC 9003 shutdown
 * communications, FQDN capabilities) before it reaches a log or a terminal.
 */
#ifndef KBGP_LIB_UTF8_H
#define KBGP_LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Copy src into dst (NUL-terminated, truncated to fit), replacing each byte
 * that is not part of a valid UTF-8 sequence, and every control character,
 * with '?'. */
void utf8_sanitize(char *dst, size_t dst_size, const uint8_t *src, size_t len);

/* The longest prefix of s, at most max bytes, that ends on a character
 * boundary. */
size_t utf8_prefix_len(const char *s, size_t len, size_t max);

#endif
