/*
 * sbuf: bounded text formatting.
 */
#include "lib/sbuf.h"

#include <stdarg.h>
#include <stdio.h>

void sbuf_init(struct sbuf *s, char *p, size_t cap)
{
	*s = (struct sbuf){ .p = p, .cap = cap };
	if (cap > 0)
		p[0] = '\0';
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;

	if (s->cap == 0 || s->truncated)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->cap - s->len) {
		s->truncated = true;
		s->len = s->cap - 1;
		return;
	}
	s->len += (size_t)n;
}

void sbuf_puts(struct sbuf *s, const char *str)
{
	sbuf_printf(s, "%s", str);
}
