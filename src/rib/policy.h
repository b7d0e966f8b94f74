/*
 * policy: import and export policies.  A policy is a list of statements;
 * the first statement whose conditions all hold applies its changes and
 * its verdict.  A chain of policies is tried in order until one gives a
 * verdict; a route no statement took is rejected (as in FRR route-maps and
 * GoBGP), and a peer with no chain at all gets RFC 8212's answer from the
 * caller.  Conditions and changes are plain data, evaluated against a
 * struct bgp_attrs; changed values are built into caller scratch space.
 */
#ifndef KBGP_RIB_POLICY_H
#define KBGP_RIB_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/nlri.h"
#include "lib/addr.h"
#include "lib/htab.h"

#define POLICY_LENS 129 /* prefix lengths 0..128 */

struct policy_prefix {
	struct bgp_prefix prefix;
	uint8_t min_len, max_len; /* the route's length must be in this range */
};

struct policy_match {
	struct addr_range *neighbors; /* the peer's address is in one of them */
	size_t n_neighbors;
	uint8_t families; /* BGP_AF_BIT set; 0: any */
	struct policy_prefix *prefixes;
	size_t n_prefixes;
	uint32_t *communities; /* any of them present */
	size_t n_communities;
	uint32_t (*large_communities)[3];
	size_t n_large_communities;
	bool has_neighbor_as;
	uint32_t neighbor_as;  /* the first AS of the AS_PATH */
	uint32_t *as_contains; /* every one of them appears in the AS_PATH */
	size_t n_as_contains;
	bool local_only; /* the route is this router's own, not received */
};

enum policy_verdict {
	POLICY_NEXT, /* no verdict: the next statement or policy decides */
	POLICY_ACCEPT,
	POLICY_REJECT,
};

struct policy_set {
	bool has_local_pref;
	uint32_t local_pref;
	bool has_med;
	uint32_t med;
	uint32_t *add_communities;
	size_t n_add_communities;
	uint32_t (*add_large_communities)[3];
	size_t n_add_large_communities;
	uint32_t prepend_as; /* 0: no prepend */
	uint8_t prepend_count;
	bool has_next_hop;
	union sockaddr_any next_hop;
};

/* Names as long as the agent's: "<peer>-<afi>-Service-<svc>-<ns>-<type>-<i>". */
#define POLICY_NAME_MAX 256

struct policy_statement {
	char name[POLICY_NAME_MAX];
	struct policy_match match;
	struct policy_set set;
	enum policy_verdict verdict;
};

struct policy {
	char name[POLICY_NAME_MAX];
	struct policy_statement *statements;
	size_t n_statements;
	uint64_t digest; /* of its definition: a reload sees whether it changed */
};

/* Scratch for the values a policy rewrites; lives as long as the result. */
struct policy_scratch {
	uint8_t as_path[BGP_EXT_MAX_LEN];
	uint8_t communities[BGP_EXT_MAX_LEN];
	uint8_t large_communities[BGP_EXT_MAX_LEN];
};

/*
 * Run a chain on a route from (import) or to (export) the peer at `peer`;
 * `local`: the route is this router's own (a network), not received.
 * a is changed in place by the statements that apply; its views may then
 * point into scratch.  Returns accept or reject.
 */
enum policy_verdict policy_apply_route(const struct policy *const *chain, size_t n,
                                       const union sockaddr_any *peer, const struct bgp_prefix *p,
                                       bool local, struct bgp_attrs *a,
                                       struct policy_scratch *scratch);
/* policy_apply_route for a received route (import): local_only conditions
 * never hold. */
enum policy_verdict policy_apply(const struct policy *const *chain, size_t n,
                                 const union sockaddr_any *peer, const struct bgp_prefix *p,
                                 struct bgp_attrs *a, struct policy_scratch *scratch);

/* The prefix of condition pp with the bits past its length clear (they
 * take no part in matching). */
struct bgp_prefix policy_prefix_base(const struct policy_prefix *pp);
/* Whether the prefix condition pp holds for p. */
bool policy_prefix_covers(const struct policy_prefix *pp, const struct bgp_prefix *p);

void policy_free(struct policy *p);

/* Statements of an indexed chain, by their position in it, ascending. */
struct policy_ords {
	uint32_t *v;
	size_t n, cap;
};

/*
 * A chain indexed by prefix.  The agent gives a peer one export policy per
 * Service, each matching a few exact prefixes: trying all of them on every
 * route costs table x policies.  The index finds by hash the statements
 * whose prefix conditions may hold for a route and tries them, with the
 * statements that have no prefix condition, in chain order; the statements
 * skipped could not have matched, so verdicts and changes are
 * policy_apply_route's.  It points into the chain's policies, which must
 * outlive it; a zeroed index is the empty chain's.
 */
struct policy_index {
	const struct policy_statement **statements; /* the chain's, in order */
	size_t n_statements;
	struct policy_ords always; /* the statements without prefix conditions */
	struct htab slots;         /* the others by the bases of their prefix conditions */
	/* The lengths of those bases per family, ascending. */
	uint8_t lens[BGP_AF_COUNT][POLICY_LENS];
	uint8_t n_lens[BGP_AF_COUNT];
};

/* -1 out of memory (ix is then empty). */
int policy_index_init(struct policy_index *ix, const struct policy *const *chain, size_t n);
void policy_index_free(struct policy_index *ix);
/* policy_apply_route on the indexed chain. */
enum policy_verdict policy_index_apply(const struct policy_index *ix,
                                       const union sockaddr_any *peer, const struct bgp_prefix *p,
                                       bool local, struct bgp_attrs *a,
                                       struct policy_scratch *scratch);

#endif
