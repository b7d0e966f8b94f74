/*
 * rib: the routing table of one speaker, for IPv4 and IPv6 unicast.  Each
 * prefix has one entry holding every path to it (the Adj-RIBs-In, seen from
 * the prefix); each source (a peer, or this speaker for local routes) links
 * its own paths, so a session going down drops them without a table walk.
 * After every change the entry's paths are decided again (rib/decide): the
 * best first, then the rest of its ECMP set, and the layer above hears of
 * entries whose selection changed.
 */
#ifndef KBGP_RIB_RIB_H
#define KBGP_RIB_RIB_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/nlri.h"
#include "lib/htab.h"
#include "lib/slab.h"
#include "rib/attrset.h"
#include "rib/decide.h"

struct rib_source;
struct rib_entry;

struct rib_path {
	struct rib_path *next;                /* in the entry, best first */
	struct rib_path *src_next, *src_prev; /* in the source's list */
	struct rib_entry *entry;
	struct rib_source *src;
	struct attrset *attrs;
	uint32_t path_id;
	uint64_t received_at;
	bool multipath; /* in the best path's ECMP set (the best included) */
	bool stale;     /* kept while its peer restarts (RFC 4724) */
};

struct rib_entry {
	struct bgp_prefix prefix;
	struct rib_path *paths;
	uint8_t reason;      /* enum decide_reason: why the best won */
	uint8_t n_multipath; /* paths with multipath set, the best included */
};

/* Where paths come from: a peer, or this speaker (local routes). */
struct rib_source {
	struct rib_path *paths;
	size_t count[BGP_AF_COUNT];
	bool local;
	bool ebgp;
	uint32_t asn; /* the neighbour AS */
	uint32_t router_id;
	union sockaddr_any addr;
	uint32_t weight;
	void *owner;
};

struct rib {
	struct htab entries;
	struct slab entry_slab, path_slab;
	struct attrset_table attrs;
	struct decide_config decide;
	size_t n_paths;
	/* An entry's best path or ECMP set changed; an entry left without
	 * paths is reported once more, then freed. */
	void (*changed)(void *ctx, struct rib_entry *e);
	void *ctx;
};

void rib_init(struct rib *r, const struct decide_config *cfg,
              void (*changed)(void *ctx, struct rib_entry *e), void *ctx);
void rib_free(struct rib *r);

/* Add or replace the path of src to p (with its ADD-PATH identifier);
 * -1 out of memory. */
int rib_update(struct rib *r, struct rib_source *src, const struct bgp_prefix *p,
               const struct bgp_attrs *a, uint64_t now);
/* The same with attributes already interned (one intern for all the routes
 * of an UPDATE); the path takes its own reference. */
int rib_update_set(struct rib *r, struct rib_source *src, const struct bgp_prefix *p,
                   struct attrset *set, uint64_t now);
void rib_withdraw(struct rib *r, struct rib_source *src, const struct bgp_prefix *p);
/* Drop every path of src (its session went down). */
void rib_flush(struct rib *r, struct rib_source *src);
/* Graceful restart and enhanced route refresh: mark the paths of src
 * stale, of one family (af >= 0) or all (-1); a later rib_update of the
 * same route makes it fresh again. */
void rib_mark_stale(struct rib *r, struct rib_source *src, int af);
/* Drop the paths of src still stale, of one family (af >= 0) or all (-1);
 * returns how many went. */
size_t rib_sweep_stale(struct rib *r, struct rib_source *src, int af);

struct rib_entry *rib_lookup(const struct rib *r, const struct bgp_prefix *p);
static inline const struct rib_path *rib_best(const struct rib_entry *e)
{
	return e->paths;
}
/* Iterate entries: *pos = 0 to start, NULL at the end. */
struct rib_entry *rib_next(const struct rib *r, size_t *pos);

#endif
