/*
 * decode: render a stream of BGP messages as text, one block per message.
 * Backs `kbgpctl decode`, which reads captured bytes (hex) and shows what
 * kbgp makes of them, RFC 7606 verdicts included.
 */
#ifndef KBGP_CTL_DECODE_H
#define KBGP_CTL_DECODE_H

#include <stdio.h>

#include "bgp/attr.h"
#include "lib/buf.h"

/* Returns 0 when every message decoded cleanly, 1 when any was malformed. */
int ctl_decode_stream(FILE *out, struct rbuf stream, const struct bgp_session_ctx *ctx);

#endif
