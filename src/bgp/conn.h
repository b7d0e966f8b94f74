/*
 * conn: one TCP connection of a peer: its socket on the loop, the bytes
 * read but not yet framed, and the bytes queued but not yet written.
 * Internal to the session layer.
 */
#ifndef KBGP_BGP_CONN_H
#define KBGP_BGP_CONN_H

#include "bgp/session.h"

#define CONN_OUT_MAX (64u << 20) /* a full table, many times over */

void conn_init(struct bgp_conn *c, struct bgp_peer *p, loop_io_fn *on_io);
void conn_attach(struct bgp_conn *c, int fd, bool outgoing, bool connecting);
void conn_close(struct bgp_conn *c);
/* Move an open connection into dst (closed), keeping dst's callback. */
void conn_move(struct bgp_conn *dst, struct bgp_conn *src);
/* Close and release the buffers for good. */
void conn_free(struct bgp_conn *c);
static inline bool conn_is_open(const struct bgp_conn *c)
{
	return c->fd >= 0;
}
/* Queue a message, written when the socket is next writable; -1 when the
 * queue would exceed CONN_OUT_MAX. */
int conn_send(struct bgp_conn *c, const uint8_t *msg, size_t len);
/* Write queued bytes; 1 if some remain, 0 if drained, -1 on error. */
int conn_flush(struct bgp_conn *c);
/* Read what is there into the input buffer: bytes read, 0 on EOF, -1 on
 * error (EAGAIN included: nothing to do). */
long conn_read(struct bgp_conn *c);
/* The bytes read and not consumed yet. */
struct rbuf conn_unread(const struct bgp_conn *c);
/* Drop n framed bytes from the front of what is unread. */
void conn_consume(struct bgp_conn *c, size_t n);
void conn_watch(struct bgp_conn *c);

#endif
