/*
 * update: the UPDATE message (RFC 4271 §4.3, RFC 4760) with RFC 7606 error
 * handling decided in the decoder: the caller gets the routes, the
 * attributes, and what the errors cost (nothing, attributes discarded,
 * treat-as-withdraw, or a NOTIFICATION to send).
 */
#ifndef KBGP_BGP_UPDATE_H
#define KBGP_BGP_UPDATE_H

#include <stdbool.h>

#include "bgp/attr.h"
#include "bgp/nlri.h"

struct bgp_update {
	struct rbuf withdrawn; /* IPv4 unicast Withdrawn Routes field */
	struct rbuf nlri;      /* IPv4 unicast NLRI field */
	struct bgp_attrs attrs;
	unsigned attr_count; /* attributes in the message, kept or not */
	struct bgp_errors errors;
};

/*
 * Decode an UPDATE body.  Returns -1 when the session must be reset
 * (errors.notice says with what), else 0; errors.action then tells whether
 * the routes stand (NONE, ATTR_DISCARD) or are withdrawn (WITHDRAW).
 * scratch is reset here and must outlive the use of u.
 */
int bgp_update_decode(const struct bgp_session_ctx *ctx, struct rbuf body,
                      struct bgp_scratch *scratch, struct bgp_update *u);

/* End-of-RIB (RFC 4724 §2): an empty UPDATE for IPv4 unicast, or one with
 * only an empty MP_UNREACH_NLRI. */
bool bgp_update_is_eor(const struct bgp_update *u, enum bgp_af *af);

/* Walks every route of a decoded UPDATE: withdrawals first, then
 * announcements; under treat-as-withdraw, announcements come out as
 * withdrawals. */
struct bgp_route_iter {
	const struct bgp_update *u;
	const struct bgp_session_ctx *ctx;
	int part;
	struct nlri_iter it;
};

void bgp_route_iter_init(struct bgp_route_iter *ri, const struct bgp_update *u,
                         const struct bgp_session_ctx *ctx);
/* 1 with *p and *reach set, 0 at the end. */
int bgp_route_iter_next(struct bgp_route_iter *ri, struct bgp_prefix *p, bool *reach);

/* Encode a whole UPDATE from its three parts (the NLRI fields in wire
 * form). */
void bgp_update_encode(struct wbuf *w, const struct bgp_session_ctx *ctx, struct rbuf withdrawn,
                       const struct bgp_attrs *a, struct rbuf nlri);

#endif
