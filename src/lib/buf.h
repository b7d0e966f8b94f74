/*
 * buf: bounds-checked readers and writers for wire formats.
 *
 * Every decoder in kbgp reads packet bytes through an rbuf and every encoder
 * writes through a wbuf; no other module does pointer arithmetic on packet
 * bytes.  Reads return -1 on underflow and leave the reader unchanged, so a
 * parser is a straight sequence of reads with a few error labels.  Writes are
 * sticky: once a write does not fit, the writer is marked overflowed and all
 * later writes are ignored, so an encoder checks wbuf_ok() once at the end.
 */
#ifndef KBGP_LIB_BUF_H
#define KBGP_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A read-only view of bytes with a cursor.  A view with off == 0 doubles as a
 * slice of a larger buffer (attribute data, an NLRI field). */
struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline struct rbuf rbuf_make(const void *p, size_t len)
{
	return (struct rbuf){ .p = p, .len = len, .off = 0 };
}

static inline size_t rbuf_left(const struct rbuf *r)
{
	return r->len - r->off;
}

static inline void rbuf_rewind(struct rbuf *r)
{
	r->off = 0;
}

static inline bool rbuf_empty(const struct rbuf *r)
{
	return r->off == r->len;
}

int rbuf_u8(struct rbuf *r, uint8_t *v);
int rbuf_u16(struct rbuf *r, uint16_t *v);
int rbuf_u24(struct rbuf *r, uint32_t *v);
int rbuf_u32(struct rbuf *r, uint32_t *v);
int rbuf_copy(struct rbuf *r, void *dst, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);
/* Carve the next n bytes off as a view of their own and advance past them. */
int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub);
/* The unread rest as a view of its own; the reader is then at its end. */
struct rbuf rbuf_rest(struct rbuf *r);
/* Byte at offset i of the unread part, without advancing. */
int rbuf_peek_u8(const struct rbuf *r, size_t i, uint8_t *v);
/* Unread bytes compare equal to n bytes at q. */
bool rbuf_equal(const struct rbuf *r, const void *q, size_t n);
/* Bytes [from, to) of the view, by offset from its start. */
struct rbuf rbuf_span(const struct rbuf *r, size_t from, size_t to);
/* Whole view (from offset 0) as a pointer, for handing bytes to libc. */
const uint8_t *rbuf_data(const struct rbuf *r);

void wbuf_init(struct wbuf *w, void *p, size_t cap);
void wbuf_u8(struct wbuf *w, uint8_t v);
void wbuf_u16(struct wbuf *w, uint16_t v);
void wbuf_u24(struct wbuf *w, uint32_t v);
void wbuf_u32(struct wbuf *w, uint32_t v);
void wbuf_bytes(struct wbuf *w, const void *src, size_t n);
void wbuf_zero(struct wbuf *w, size_t n);
/* Append the unread bytes of a view. */
void wbuf_rbuf(struct wbuf *w, const struct rbuf *r);
/* Reserve room for a length field now and fill it in later. */
size_t wbuf_reserve(struct wbuf *w, size_t n);
void wbuf_patch_u8(struct wbuf *w, size_t at, uint8_t v);
void wbuf_patch_u16(struct wbuf *w, size_t at, uint16_t v);
/* OR bits into a byte already written (flag bytes decided after the fact). */
void wbuf_patch_or_u8(struct wbuf *w, size_t at, uint8_t bits);
/* Move the bytes written after `from` forward by n, leaving n zero bytes at
 * `from` (used when a one-octet length must grow to two octets). */
void wbuf_insert_gap(struct wbuf *w, size_t from, size_t n);
/* Forget everything written after `len` (roll back a partial element). */
void wbuf_truncate(struct wbuf *w, size_t len);
/* The bytes written so far as a view, or those written since `from`. */
struct rbuf wbuf_view(const struct wbuf *w);
struct rbuf wbuf_view_from(const struct wbuf *w, size_t from);

static inline bool wbuf_ok(const struct wbuf *w)
{
	return !w->overflow;
}

static inline size_t wbuf_room(const struct wbuf *w)
{
	return w->overflow ? 0 : w->cap - w->len;
}

#endif
