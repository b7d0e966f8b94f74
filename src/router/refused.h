/*
 * refused: the prefixes a peer announced that import refused (our AS in
 * the path, a policy), so "received" can count what the peer sent, as
 * Cilium's does (GoBGP's Adj-RIB-In, before policy), while "accepted"
 * counts what the RIB holds.  Kept only where the group asks
 * (count_refused: the agent, whose import refuses everything).
 */
#ifndef KBGP_ROUTER_REFUSED_H
#define KBGP_ROUTER_REFUSED_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/nlri.h"
#include "lib/htab.h"

struct refused_set {
	struct htab prefixes;
	size_t count[BGP_AF_COUNT];
};

void refused_init(struct refused_set *s);
/* The peer announced p (refused or accepted), or withdrew it. */
void refused_note(struct refused_set *s, const struct bgp_prefix *p, bool refused);
/* The session ended: the peer will say it all again. */
void refused_clear(struct refused_set *s);

#endif
