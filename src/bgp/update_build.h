/*
 * update_build: pack routes into UPDATE messages.  Prefixes that share one
 * attribute set go into as few messages as the size limit allows; IPv4
 * unicast uses the classic fields, other families MP_REACH_NLRI and
 * MP_UNREACH_NLRI (RFC 4760).
 */
#ifndef KBGP_BGP_UPDATE_BUILD_H
#define KBGP_BGP_UPDATE_BUILD_H

#include <stddef.h>

#include "bgp/attr.h"
#include "bgp/nlri.h"

/*
 * Write one UPDATE announcing (a != NULL) or withdrawing (a == NULL) as
 * many of the n prefixes of family af as fit in max_len bytes.  For an
 * announcement of a family other than IPv4 unicast, a->mp_reach holds the
 * next hop; its NLRI is filled in here.  Returns how many prefixes went in
 * (0 only if n is 0 or nothing fits).
 */
size_t bgp_update_build(struct wbuf *w, size_t max_len, const struct bgp_session_ctx *ctx,
                        const struct bgp_attrs *a, enum bgp_af af, const struct bgp_prefix *v,
                        size_t n);

/* The End-of-RIB marker of a family (RFC 4724 §2). */
void bgp_update_build_eor(struct wbuf *w, enum bgp_af af);

#endif
