/*
 * buf: the only place in kbgp that does arithmetic on packet pointers.
 */
#include "buf.h"

#include <string.h>

/* An empty view may have a NULL base: never do arithmetic on it. */
static const uint8_t *rbuf_at(const struct rbuf *r)
{
	static const uint8_t nothing[1];
	return r->p != NULL ? r->p + r->off : nothing;
}

static const uint8_t *rbuf_take(struct rbuf *r, size_t n)
{
	if (rbuf_left(r) < n)
		return NULL;
	const uint8_t *at = rbuf_at(r);
	r->off += n;
	return at;
}

int rbuf_u8(struct rbuf *r, uint8_t *v)
{
	const uint8_t *b = rbuf_take(r, 1);
	if (b == NULL)
		return -1;
	*v = b[0];
	return 0;
}

int rbuf_u16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *b = rbuf_take(r, 2);
	if (b == NULL)
		return -1;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

int rbuf_u24(struct rbuf *r, uint32_t *v)
{
	const uint8_t *b = rbuf_take(r, 3);
	if (b == NULL)
		return -1;
	*v = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	return 0;
}

int rbuf_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *b = rbuf_take(r, 4);
	if (b == NULL)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

int rbuf_copy(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *b = rbuf_take(r, n);
	if (b == NULL)
		return -1;
	if (n > 0)
		memcpy(dst, b, n);
	return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	return rbuf_take(r, n) == NULL ? -1 : 0;
}

int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	const uint8_t *b = rbuf_take(r, n);
	if (b == NULL)
		return -1;
	*sub = rbuf_make(b, n);
	return 0;
}

struct rbuf rbuf_rest(struct rbuf *r)
{
	struct rbuf rest;
	rbuf_sub(r, rbuf_left(r), &rest);
	return rest;
}

int rbuf_peek_u8(const struct rbuf *r, size_t i, uint8_t *v)
{
	if (i >= rbuf_left(r))
		return -1;
	*v = rbuf_at(r)[i];
	return 0;
}

bool rbuf_equal(const struct rbuf *r, const void *q, size_t n)
{
	return rbuf_left(r) == n && (n == 0 || memcmp(rbuf_at(r), q, n) == 0);
}

struct rbuf rbuf_span(const struct rbuf *r, size_t from, size_t to)
{
	if (from > to || to > r->len || r->p == NULL)
		return rbuf_make(NULL, 0);
	return rbuf_make(r->p + from, to - from);
}

const uint8_t *rbuf_data(const struct rbuf *r)
{
	return r->p;
}

void wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	*w = (struct wbuf){ .p = p, .cap = cap };
}

static uint8_t *wbuf_take(struct wbuf *w, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return NULL;
	}
	if (n == 0)
		return NULL; /* nothing to write, and w->p may be NULL */
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

void wbuf_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *b = wbuf_take(w, 1);
	if (b != NULL)
		b[0] = v;
}

void wbuf_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *b = wbuf_take(w, 2);
	if (b == NULL)
		return;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

void wbuf_u24(struct wbuf *w, uint32_t v)
{
	uint8_t *b = wbuf_take(w, 3);
	if (b == NULL)
		return;
	b[0] = (uint8_t)(v >> 16);
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)v;
}

void wbuf_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *b = wbuf_take(w, 4);
	if (b == NULL)
		return;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

void wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *b = wbuf_take(w, n);
	if (b != NULL && n > 0)
		memcpy(b, src, n);
}

void wbuf_zero(struct wbuf *w, size_t n)
{
	uint8_t *b = wbuf_take(w, n);
	if (b != NULL && n > 0)
		memset(b, 0, n);
}

void wbuf_rbuf(struct wbuf *w, const struct rbuf *r)
{
	wbuf_bytes(w, rbuf_at(r), rbuf_left(r));
}

size_t wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t at = w->len;
	wbuf_zero(w, n);
	return at;
}

void wbuf_patch_u8(struct wbuf *w, size_t at, uint8_t v)
{
	if (!w->overflow && at < w->len)
		w->p[at] = v;
}

void wbuf_patch_u16(struct wbuf *w, size_t at, uint16_t v)
{
	if (w->overflow || at + 2 > w->len)
		return;
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
}

void wbuf_patch_or_u8(struct wbuf *w, size_t at, uint8_t bits)
{
	if (!w->overflow && at < w->len)
		w->p[at] |= bits;
}

void wbuf_insert_gap(struct wbuf *w, size_t from, size_t n)
{
	size_t old_len = w->len;
	if (from > old_len || wbuf_take(w, n) == NULL)
		return;
	memmove(w->p + from + n, w->p + from, old_len - from);
	memset(w->p + from, 0, n);
}

void wbuf_truncate(struct wbuf *w, size_t len)
{
	if (len <= w->len)
		w->len = len;
}

struct rbuf wbuf_view(const struct wbuf *w)
{
	return rbuf_make(w->p, w->overflow ? 0 : w->len);
}

struct rbuf wbuf_view_from(const struct wbuf *w, size_t from)
{
	if (w->overflow || from >= w->len)
		return rbuf_make(NULL, 0);
	return rbuf_make(w->p + from, w->len - from);
}
