/*
 * attr: BGP path attributes.  Every attribute kbgp understands is described
 * once, in attr_table (attr.c): its expected flags, its RFC 7606 error class,
 * and its decoder, encoder and formatter.  The generic code around the table
 * applies the rules that hold for all attributes (flag checks, duplicates,
 * unknown attributes, lengths that overrun) so each decoder only reads its
 * own value.
 *
 * Decoded values that are lists of fixed-size items (communities, cluster
 * list) are views into the message; the AS_PATH and the unknown transitive
 * attributes are rebuilt into caller-provided scratch space.  Nothing is
 * allocated.
 */
#ifndef KBGP_BGP_ATTR_H
#define KBGP_BGP_ATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/msg.h"
#include "bgp/proto.h"
#include "lib/buf.h"
#include "lib/sbuf.h"

/* What an error in an UPDATE costs, mildest first (RFC 7606 §2). */
enum bgp_action {
	BGP_ACT_NONE = 0,
	BGP_ACT_ATTR_DISCARD = 1, /* drop the attribute, keep the routes */
	BGP_ACT_WITHDRAW = 2,     /* treat the UPDATE's routes as withdrawn */
	BGP_ACT_RESET = 3,        /* NOTIFICATION and session reset */
};

struct bgp_mp_reach {
	uint8_t af;     /* enum bgp_af */
	uint8_t nh_len; /* 4, 16, or 32 (global + link-local) */
	uint8_t nh[32];
	struct rbuf nlri;
};

struct bgp_mp_unreach {
	uint8_t af;
	struct rbuf nlri;
};

/* A decoded attribute set.  AS4_PATH and AS4_AGGREGATOR never appear here:
 * they are merged into AS_PATH and AGGREGATOR on decode and written from
 * them on encode. */
struct bgp_attrs {
	uint32_t present[8]; /* codes of attributes decoded and kept */
	uint8_t origin;
	struct rbuf as_path; /* 4-octet form, see aspath.h */
	uint32_t next_hop;   /* IPv4, host order */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint32_t aggregator_id;
	struct rbuf communities;       /* 4-octet items */
	struct rbuf ext_communities;   /* 8-octet items */
	struct rbuf large_communities; /* 12-octet items */
	uint32_t originator_id;
	struct rbuf cluster_list; /* 4-octet items */
	uint32_t otc;
	struct bgp_mp_reach mp_reach;
	struct bgp_mp_unreach mp_unreach;
	/* Unrecognised optional transitive attributes, in wire form with the
	 * Partial bit set, ready to pass on (RFC 4271 §5). */
	struct rbuf opaque;
};

static inline bool bgp_attr_has(const struct bgp_attrs *a, uint8_t code)
{
	return a->present[code / 32] & (1u << (code % 32));
}

void bgp_attr_set(struct bgp_attrs *a, uint8_t code);
void bgp_attr_clear(struct bgp_attrs *a, uint8_t code);

/* What the session negotiated, as far as attribute decoding cares. */
struct bgp_session_ctx {
	bool as4; /* both sides announced 4-octet AS */
	bool ebgp;
	uint8_t afs;        /* families negotiated (BGP_AF_BIT) */
	uint8_t addpath_rx; /* families whose NLRI carry path identifiers */
	uint8_t addpath_tx;
	uint8_t ext_nexthop; /* families whose next hop may be IPv6 (RFC 8950) */
};

/* One problem found in an UPDATE, kept for the log line. */
struct bgp_attr_error {
	uint8_t action; /* enum bgp_action */
	uint8_t code;   /* attribute code, 0 when not about one attribute */
	const char *reason;
};

#define BGP_ERRORS_KEPT 8

/* Errors found in one UPDATE: the worst action decides, the first few are
 * kept for the log line. */
struct bgp_errors {
	uint8_t action;           /* enum bgp_action, the worst seen */
	struct bgp_notice notice; /* to send when action is BGP_ACT_RESET */
	uint16_t total;
	uint8_t kept;
	struct bgp_attr_error list[BGP_ERRORS_KEPT];
};

void bgp_errors_note(struct bgp_errors *e, enum bgp_action action, uint8_t code,
                     const char *reason);

/* Space an UPDATE decode rebuilds values in, reused from message to message:
 * a widened two-octet AS_PATH doubles and the AS4_PATH merge adds at most
 * the message again; the opaque copy is at most the message. */
struct bgp_scratch {
	struct wbuf path;
	struct wbuf opaque;
	uint8_t path_buf[3 * BGP_EXT_MAX_LEN];
	uint8_t opaque_buf[BGP_EXT_MAX_LEN];
};

void bgp_scratch_reset(struct bgp_scratch *s);

/*
 * Decode a Path Attributes field into a.  Per RFC 7606 an error never stops
 * the decode unless it resets the session; its cost is recorded in errs.
 * Views in a point into field or into scratch.  Returns how many attributes
 * the field held, kept or not.
 */
unsigned bgp_attrs_decode(const struct bgp_session_ctx *ctx, struct rbuf field,
                          struct bgp_scratch *scratch, struct bgp_attrs *a,
                          struct bgp_errors *errs);

/* Encode all present attributes, ordered by type code, for a session with
 * the given capabilities (two-octet sessions get AS_TRANS and AS4_PATH). */
void bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_session_ctx *ctx);

/* GoBGP-style rendering as Cilium prints it:
 * "[{Origin: i} {AsPath: 65001} {Nexthop: 0.0.0.0}]". */
void bgp_attrs_format_gobgp(struct sbuf *s, const struct bgp_attrs *a);
/* The name of a well-known community (RFC 1997 and successors), or NULL. */
const char *bgp_community_name(uint32_t c);

/* RFC name of an attribute code ("AS_PATH"), or NULL if unknown. */
const char *bgp_attr_name(uint8_t code);

/* Items in a community-style list. */
static inline size_t bgp_attr_items(const struct rbuf *list, size_t item_size)
{
	return list->len / item_size;
}

#endif
