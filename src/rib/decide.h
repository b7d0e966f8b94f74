/*
 * decide: the BGP decision process (RFC 4271 §9.1.2) with the tie-breakers
 * FRR applies, as a comparison of two candidate paths that also says which
 * step decided, and the multipath rule that turns a best path into an ECMP
 * set.  Pure functions over struct decide_path, which the RIB fills from its
 * paths; nothing here knows about tables or peers.
 */
#ifndef KBGP_RIB_DECIDE_H
#define KBGP_RIB_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "lib/addr.h"

/* The step that told two paths apart, in the order they are tried. */
enum decide_reason {
	DECIDE_NONE = 0,     /* only one path */
	DECIDE_WEIGHT,       /* 0. local weight (FRR) */
	DECIDE_LOCAL_PREF,   /* 1. LOCAL_PREF, RFC 4271 §9.1.1 */
	DECIDE_LOCAL_ROUTE,  /* 2. locally originated (FRR) */
	DECIDE_AS_PATH,      /* 3. shortest AS_PATH, §9.1.2.2 a */
	DECIDE_ORIGIN,       /* 4. lowest ORIGIN, §9.1.2.2 b */
	DECIDE_MED,          /* 5. lowest MED from the same neighbour AS, §9.1.2.2 c */
	DECIDE_PEER_TYPE,    /* 6. eBGP over iBGP, §9.1.2.2 d */
	DECIDE_OLDER,        /* 7. the older of two eBGP paths (RFC 5004, FRR) */
	DECIDE_ROUTER_ID,    /* 8. lowest BGP Identifier (ORIGINATOR_ID if any), §9.1.2.2 f */
	DECIDE_CLUSTER_LIST, /* 9. shortest CLUSTER_LIST (RFC 4456 §9) */
	DECIDE_PEER_ADDR,    /* 10. lowest peer address, §9.1.2.2 g */
	DECIDE_SAME,         /* nothing left to compare */
};

/* What the decision needs of a path's attributes, worked out once per
 * attribute set (rib/attrset keeps one in every interned set), so
 * comparing paths reads a few numbers and never parses an AS_PATH. */
struct decide_attrs {
	uint32_t local_pref;    /* 100 without LOCAL_PREF */
	uint32_t med;           /* 0 without MED */
	uint32_t originator_id; /* if has_originator */
	uint16_t as_path_length;
	uint16_t cluster_length;
	uint8_t origin;
	bool has_originator;
};

void decide_attrs_of(const struct bgp_attrs *a, struct decide_attrs *out);

/* What the decision needs to know of one path. */
struct decide_path {
	const struct decide_attrs *attrs;
	uint32_t weight;   /* FRR's local weight; 32768 for local routes */
	bool local;        /* originated here: no peer */
	bool ebgp;         /* learned over eBGP */
	uint32_t peer_asn; /* the neighbour AS (the first in AS_PATH for eBGP) */
	uint32_t peer_id;  /* the peer's BGP Identifier */
	union sockaddr_any peer_addr;
	uint32_t received_s; /* when the path arrived, monotonic seconds */
	struct rbuf as_path; /* multipath without relax wants the same one */
};

struct decide_config {
	bool med_always_compare; /* FRR `bgp always-compare-med` */
	bool compare_router_id;  /* FRR `bgp bestpath compare-routerid`: skip step 7 */
	bool as_path_multipath_relax;
	uint8_t maximum_paths_ebgp; /* ECMP width, 1 = no multipath */
	uint8_t maximum_paths_ibgp;
};

/*
 * < 0 when a is better, > 0 when b is, 0 when they are equal on every step.
 * *reason is the step that decided (DECIDE_SAME when none did).
 */
int decide_compare(const struct decide_path *a, const struct decide_path *b,
                   const struct decide_config *cfg, enum decide_reason *reason);

/* Whether candidate may join best's ECMP set: equal up to the peer type
 * (so neither older age nor identifiers matter), the same kind of session,
 * and the same AS_PATH, or only its length with multipath-relax. */
bool decide_multipath(const struct decide_path *best, const struct decide_path *candidate,
                      const struct decide_config *cfg);

/* FRR's words for a reason, as `show ip bgp PREFIX` prints them after
 * "best (": "Local Pref", "AS Path", "Older Path", "Router ID" ... */
const char *decide_reason_text(enum decide_reason reason);

#endif
