/*
 * rib: the routing table of one speaker, for IPv4 and IPv6 unicast.  Each
 * prefix has one entry holding every path to it (the Adj-RIBs-In, seen from
 * the prefix).  Entries are kept by a dense id in a store per family, which
 * each Adj-RIB-Out also indexes what it last sent by, and found by prefix
 * through an index of 4-byte handles (rib/pindex): a full table costs one
 * lookup per received route, mostly in cache, and no second table per
 * peer.
 * After every change the entry's paths are decided again (rib/decide): the
 * best first, then the rest of its ECMP set, and the layer above hears of
 * entries whose selection changed, or whose selected paths have new
 * attributes.  Dropping a source's paths is a table walk, the price of
 * paths without back links.
 */
#ifndef KBGP_RIB_RIB_H
#define KBGP_RIB_RIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bgp/nlri.h"
#include "lib/htab.h"
#include "lib/idpool.h"
#include "lib/idslab.h"
#include "rib/attrset.h"
#include "rib/decide.h"
#include "rib/pindex.h"

struct rib_source;

/* 16 bytes: a full table has a million of them.  An entry's paths are an
 * array, best first, then its ECMP set (rib_paths gives the first,
 * rib_path_next the others).
 * Attributes and source are kept as small indexes; rib_path_attrs() and
 * rib_path_source() give what they name. */
struct rib_path {
	uint32_t attrs; /* the attribute set's id */
	uint32_t path_id;
	/* Monotonic seconds: the older of two eBGP paths wins at this grain,
	 * as in FRR (its `uptime`), and a tie goes on to the router ID. */
	uint32_t received_s;
	uint16_t src;       /* the source's index in the rib */
	bool multipath : 1; /* in the best path's ECMP set (the best included) */
	bool stale : 1;     /* kept while its peer restarts (RFC 4724) */
	bool last : 1;      /* the array's last */
};

/* One prefix: 32 bytes for IPv4 with its path, 48 for IPv6.  A single
 * path, what most entries of a full table have, lives in the entry; more
 * go to an array of their own (spilled). */
struct rib_entry {
	union {
		struct rib_path one; /* no path when its attrs is 0 */
		struct rib_path *array;
	} paths;
	/* Dense in the entry's family and reused once the entry is freed:
	 * where it is kept, and how Adj-RIBs-Out index what they sent. */
	uint32_t id;
	/* Adj-RIBs-Out that hold the entry: queued to be looked at, or sent.
	 * It stays, even without paths, until they have withdrawn it. */
	uint32_t held;
	uint8_t af : 6;
	uint8_t spilled : 1; /* paths.array holds the paths */
	uint8_t live : 1;    /* 0: a free place in the store */
	uint8_t len;
	uint8_t reason;      /* enum decide_reason: why the best won */
	uint8_t n_multipath; /* paths with multipath set, the best included */
	uint8_t addr[];      /* 4 or 16 bytes */
};

/* Where paths come from: a peer, or this speaker (local routes). */
struct rib_source {
	size_t count[BGP_AF_COUNT];
	bool local;
	bool ebgp;
	uint32_t asn; /* the neighbour AS */
	uint32_t router_id;
	union sockaddr_any addr;
	uint32_t weight;
	void *owner;
	/* Given by the rib when the source's first path comes in, 0 before.
	 * A source belongs to one rib at a time; one that goes away is
	 * detached (rib_source_detach). */
	uint16_t index;
};

/* This speaker as a source: routes it originates beat learned ones on
 * weight, as FRR's `network` routes do. */
#define RIB_LOCAL_WEIGHT 32768
void rib_local_source_init(struct rib_source *s, uint32_t router_id);
/* The attributes of a route originated here, as the Loc-RIB shows them
 * (Cilium prints them so): ORIGIN IGP, an empty AS_PATH, next hop 0.0.0.0
 * or ::.  The caller adds communities, LOCAL_PREF and the like, then
 * injects with rib_update and takes back with rib_withdraw. */
void rib_local_attrs(enum bgp_af af, struct bgp_attrs *a);

struct rib {
	struct pindex entries; /* of entry handles (id and family) */
	struct idslab entry_store[BGP_AF_COUNT];
	struct rib_source **sources; /* by index; [0] unused */
	size_t cap_sources;
	struct idpool source_ids;
	struct attrset_table attrs;
	struct decide_config decide;
	size_t n_paths;
	/* An entry's best path or ECMP set changed; an entry left without
	 * paths is reported once more, then freed unless held. */
	void (*changed)(void *ctx, struct rib_entry *e);
	void *ctx;
};

void rib_init(struct rib *r, const struct decide_config *cfg,
              void (*changed)(void *ctx, struct rib_entry *e), void *ctx);
void rib_free(struct rib *r);

/* Add or replace the path of src to p (with its ADD-PATH identifier);
 * -1 out of memory, or of source indexes (65535 sources have paths). */
int rib_update(struct rib *r, struct rib_source *src, const struct bgp_prefix *p,
               const struct bgp_attrs *a, uint64_t now);
/* A prefix with its hash, computed once. */
struct rib_key {
	struct bgp_prefix prefix;
	uint64_t hash;
};
/* Hash the prefixes of n keys, and start fetching the index memory their
 * lookups read: the keys of a batch of an UPDATE's prefixes, made
 * together, overlap their cache misses. */
void rib_keys_make(const struct rib *r, struct rib_key *keys, size_t n);
/* rib_update with attributes already interned (one intern for all the
 * routes of an UPDATE) and the key made; the path takes its own reference. */
int rib_update_set(struct rib *r, struct rib_source *src, const struct rib_key *k,
                   struct attrset *set, uint64_t now);
void rib_withdraw(struct rib *r, struct rib_source *src, const struct bgp_prefix *p);
/* Drop every path of src (its session went down). */
void rib_flush(struct rib *r, struct rib_source *src);
/* The same, and forget src: its index may name another source from then
 * on.  For a source that goes away. */
void rib_source_detach(struct rib *r, struct rib_source *src);
/* Graceful restart and enhanced route refresh: mark the paths of src
 * stale, of one family (af >= 0) or all (-1); a later rib_update of the
 * same route makes it fresh again. */
void rib_mark_stale(struct rib *r, struct rib_source *src, int af);
/* Drop the paths of src still stale, of one family (af >= 0) or all (-1);
 * returns how many went. */
size_t rib_sweep_stale(struct rib *r, struct rib_source *src, int af);

/* Decide every entry again (the decision settings changed). */
void rib_redecide(struct rib *r);
struct rib_entry *rib_lookup(const struct rib *r, const struct bgp_prefix *p);
/* The entry's paths, best first; NULL when it has none. */
static inline const struct rib_path *rib_paths(const struct rib_entry *e)
{
	if (e->spilled)
		return e->paths.array;
	return e->paths.one.attrs != 0 ? &e->paths.one : NULL;
}
static inline const struct rib_path *rib_best(const struct rib_entry *e)
{
	return rib_paths(e);
}
static inline const struct rib_path *rib_path_next(const struct rib_path *p)
{
	return p->last ? NULL : p + 1;
}
static inline struct attrset *rib_path_attrs(const struct rib *r, const struct rib_path *p)
{
	return r->attrs.by_id[p->attrs];
}
static inline struct rib_source *rib_path_source(const struct rib *r, const struct rib_path *p)
{
	return r->sources[p->src];
}
/* An address of af, copied in one fixed size or the other: a size the
 * compiler knows makes a load, not a call. */
static inline void rib_addr_copy(uint8_t *to, const uint8_t *from, uint8_t af)
{
	if (af == BGP_AF_IPV4_UNICAST)
		memcpy(to, from, 4);
	else
		memcpy(to, from, 16);
}
/* Inline: built in place where it goes.  Built on the stack and returned
 * through memory, its fields were stored one by one and loaded back as a
 * whole, a store-forwarding stall on every prefix sent. */
static inline struct bgp_prefix rib_entry_prefix(const struct rib_entry *e)
{
	struct bgp_prefix p = { .af = e->af, .len = e->len };
	rib_addr_copy(p.addr, e->addr, e->af);
	return p;
}
/* Iterate the entries that have paths, in the order of their ids: *pos =
 * 0 to start, NULL at the end.  Entries may come and go meanwhile. */
struct rib_entry *rib_next(const struct rib *r, size_t *pos);
/* Call fn on every entry, which may drop paths and what Adj-RIBs-Out
 * sent. */
void rib_walk(struct rib *r, void (*fn)(struct rib *r, struct rib_entry *e, void *ctx), void *ctx);

/* Keep e until the matching rib_release (an Adj-RIB-Out queued or sent
 * it). */
static inline void rib_hold(struct rib_entry *e)
{
	e->held++;
}
void rib_release(struct rib *r, struct rib_entry *e);
/* Free e if nothing refers to it any more. */
void rib_settle(struct rib *r, struct rib_entry *e);

#endif
