/*
 * sbuf: a bounded text buffer for formatting.  Appends past the end are cut
 * and remembered (sbuf.truncated), never written out of bounds.
 */
#ifndef KBGP_LIB_SBUF_H
#define KBGP_LIB_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *p;
	size_t cap;
	size_t len;
	bool truncated;
};

void sbuf_init(struct sbuf *s, char *p, size_t cap);
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_puts(struct sbuf *s, const char *str);

#endif
