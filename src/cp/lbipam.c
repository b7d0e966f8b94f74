/*
 * lbipam: LB-IPAM the way Cilium's operator does it (see lbipam.h), in one
 * pass over a consistent view:
 *
 *   1. pools become address ranges, oldest pool first; a pool with a range
 *      overlapping an older pool's range, or another of its own, is
 *      conflicting and serves nothing;
 *   2. the Services LB-IPAM serves are ordered: those holding addresses
 *      first, then oldest first, so reconciling again changes nothing;
 *   3. every address a Service holds in its current status is kept while a
 *      pool may still give it to that Service (disabled pools included:
 *      they only stop new allocations);
 *   4. each Service then gets what it still lacks: the addresses it asks
 *      for, or one address per wanted family, shared through its sharing
 *      key or the lowest free address of the first pool serving it;
 *   5. statuses are written from the result.
 *
 * Where kbgp differs from Cilium on purpose: Cilium takes the first address
 * of its smallest free block, which depends on history; kbgp takes the
 * lowest free address.  Cilium lets a Service with a sharing key request a
 * pool's reserved first or last address; kbgp refuses it as taken.  Sharing
 * compares sharing keys, namespaces and externalTrafficPolicy, but not
 * ports nor pod selectors: the typed Service does not carry them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/lbipam.h"

#define COND_SATISFIED "io.cilium/lb-ipam-request-satisfied"
#define MSG_NO_POOL    "There are no enabled CiliumLoadBalancerIPPools that match this service"
#define MSG_FULL                                                                                   \
	"All enabled CiliumLoadBalancerIPPools that match this service ran out of allocatable IPs"

struct ip {
	uint8_t af; /* BGP_AF_IPV4_UNICAST or BGP_AF_IPV6_UNICAST */
	cp_u128 v;
};

struct pool;

struct range {
	struct pool *pool;
	struct ip first, last;
	bool reserve_ends; /* allowFirstLastIPs No on a CIDR of more than two addresses */
};

struct pool {
	const struct k8s_object *obj;
	struct range *ranges;
	size_t n_ranges;
	char conflict[640]; /* the PoolConflict message (names up to 253); "" when none */
};

struct svc {
	const struct k8s_object *obj;
	struct k8s_labels labels;
	bool want[BGP_AF_COUNT];
	struct ip *requested;
	size_t n_requested;
	const char *sharing_key, *cross_ns;
	struct ip *held; /* in status order: kept ones, then new ones */
	size_t n_held;
	const char *reason; /* of the last unmet need; NULL: satisfied */
	char message[256];
};

/* One allocated address and the Services sharing it. */
struct alloc {
	struct ip ip;
	struct range *range;
	struct svc **holders;
	size_t n_holders;
};

struct lbipam {
	struct pool *pools; /* oldest first */
	size_t n_pools;
	struct svc *svcs; /* in allocation order */
	size_t n_svcs;
	struct alloc *allocs; /* by address */
	size_t n_allocs, cap_allocs;
	json_t *errors;
	bool oom;
};

/* ---- shared with podcidr ---- */

static int age_cmp(const struct k8s_object *a, const struct k8s_object *b)
{
	const char *ca = a->meta.creation, *cb = b->meta.creation;
	if ((ca == NULL) != (cb == NULL))
		return ca == NULL ? 1 : -1;
	/* RFC 3339 in UTC, as the API server writes it, sorts as text. */
	int c = ca != NULL ? strcmp(ca, cb) : 0;
	if (c == 0)
		c = strcmp(a->meta.ns != NULL ? a->meta.ns : "",
		           b->meta.ns != NULL ? b->meta.ns : "");
	return c != 0 ? c : strcmp(a->meta.name, b->meta.name);
}

static int age_order(const void *a, const void *b)
{
	return age_cmp(*(const struct k8s_object *const *)a, *(const struct k8s_object *const *)b);
}

const struct k8s_object **cp_by_age(const struct k8s_store *s, enum k8s_kind k, size_t *n)
{
	*n = k8s_store_count(s, k);
	const struct k8s_object **v = calloc(*n + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < *n; i++)
		v[i] = k8s_store_at(s, k, i);
	if (v != NULL && *n > 1)
		qsort(v, *n, sizeof(*v), age_order);
	return v;
}

void cp_errorf(json_t *errors, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(errors, json_string(text));
}

static cp_u128 u128_from_bytes(const uint8_t *b, size_t n)
{
	cp_u128 v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

void cp_u128_to_bytes(cp_u128 v, uint8_t *b, size_t n)
{
	for (size_t i = n; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
}

void cp_prefix_bounds(const struct bgp_prefix *p, cp_u128 *first, cp_u128 *last)
{
	unsigned host_bits = 8 * (unsigned)bgp_af_table[p->af].addr_len - p->len;
	cp_u128 host = host_bits >= 128 ? ~(cp_u128)0 : ((cp_u128)1 << host_bits) - 1;
	*first = u128_from_bytes(p->addr, bgp_af_table[p->af].addr_len) & ~host;
	*last = *first | host;
}

/* ---- addresses ---- */

static const char *u128_text(cp_u128 v, char buf[40])
{
	char *p = buf + 39;
	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	return p;
}

/* Counts past 2^128 - 1 stop there: only pools spanning all of IPv6 get
 * that far, where Cilium's big integers would print 2^128. */
static cp_u128 add_saturating(cp_u128 a, cp_u128 b)
{
	return a + b < a ? ~(cp_u128)0 : a + b;
}

static size_t af_len(uint8_t af)
{
	return bgp_af_table[af].addr_len;
}

static int ip_cmp(const struct ip *a, const struct ip *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return a->v < b->v ? -1 : a->v > b->v;
}

static bool ip_from_sockaddr(const union sockaddr_any *a, struct ip *out)
{
	if (a->sa.sa_family == AF_INET) {
		*out = (struct ip){ BGP_AF_IPV4_UNICAST, ntohl(a->in.sin_addr.s_addr) };
		return true;
	}
	if (a->sa.sa_family == AF_INET6) {
		*out = (struct ip){ BGP_AF_IPV6_UNICAST,
			            u128_from_bytes(a->in6.sin6_addr.s6_addr, 16) };
		return true;
	}
	return false;
}

static const char *ip_text(const struct ip *ip, char buf[ADDR_TEXT_MAX])
{
	uint8_t bytes[16];
	cp_u128_to_bytes(ip->v, bytes, af_len(ip->af));
	inet_ntop(ip->af == BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6, bytes, buf, ADDR_TEXT_MAX);
	return buf;
}

/* ---- pools ---- */

static bool range_from_block(const struct k8s_lb_block *b, bool allow_first_last, struct range *r)
{
	if (!b->is_cidr)
		return ip_from_sockaddr(&b->start, &r->first) &&
		       ip_from_sockaddr(&b->stop, &r->last) && r->first.af == r->last.af &&
		       r->first.v <= r->last.v;
	r->first.af = r->last.af = b->cidr.af;
	cp_prefix_bounds(&b->cidr, &r->first.v, &r->last.v);
	/* A /31 or /32 (/127, /128) would have nothing left. */
	r->reserve_ends = !allow_first_last && r->last.v - r->first.v > 1;
	return true;
}

static bool range_contains(const struct range *r, const struct ip *ip)
{
	return ip->af == r->first.af && ip->v >= r->first.v && ip->v <= r->last.v;
}

static bool is_reserved(const struct range *r, const struct ip *ip)
{
	return r->reserve_ends && (ip->v == r->first.v || ip->v == r->last.v);
}

static int pool_load(struct lbipam *l, struct pool *p, const struct k8s_object *o)
{
	const struct k8s_lb_ip_pool *spec = &o->u.pool;
	p->obj = o;
	p->ranges = calloc(spec->n_blocks + 1, sizeof(*p->ranges));
	if (p->ranges == NULL)
		return -1;
	for (size_t i = 0; i < spec->n_blocks; i++) {
		struct range *r = &p->ranges[p->n_ranges];
		*r = (struct range){ .pool = p };
		if (range_from_block(&spec->blocks[i], spec->allow_first_last, r))
			p->n_ranges++;
		else
			cp_errorf(l->errors,
			          "CiliumLoadBalancerIPPool %s: blocks[%zu]: start and stop differ "
			          "in family or are out of order",
			          o->meta.name, i);
	}
	return 0;
}

static void load_pools(struct lbipam *l, const struct k8s_store *s)
{
	size_t n;
	const struct k8s_object **objs = cp_by_age(s, K8S_LB_IP_POOL, &n);
	l->pools = calloc(n + 1, sizeof(*l->pools));
	l->oom |= objs == NULL || l->pools == NULL;
	for (size_t i = 0; !l->oom && i < n; i++) {
		if (pool_load(l, &l->pools[i], objs[i]) < 0)
			l->oom = true;
		else
			l->n_pools++;
	}
	free(objs);
}

/* The first pair of overlapping ranges, one of a and one of b (a pool
 * against itself compares distinct ranges). */
static bool find_overlap(const struct pool *a, const struct pool *b, const struct range **ra,
                         const struct range **rb)
{
	for (size_t i = 0; i < a->n_ranges; i++)
		for (size_t j = 0; j < b->n_ranges; j++) {
			const struct range *x = &a->ranges[i], *y = &b->ranges[j];
			if (x != y && x->first.af == y->first.af && x->first.v <= y->last.v &&
			    y->first.v <= x->last.v) {
				*ra = x;
				*rb = y;
				return true;
			}
		}
	return false;
}

static void mark_conflict(struct lbipam *l, struct pool *p, const struct range *mine,
                          const struct range *theirs, const struct pool *other)
{
	char a[ADDR_TEXT_MAX], b[ADDR_TEXT_MAX], c[ADDR_TEXT_MAX], d[ADDR_TEXT_MAX];
	snprintf(p->conflict, sizeof(p->conflict),
	         "Pool conflicts since range '%s - %s' overlaps range '%s - %s' from IP Pool '%s'",
	         ip_text(&mine->first, a), ip_text(&mine->last, b), ip_text(&theirs->first, c),
	         ip_text(&theirs->last, d), other->obj->meta.name);
	cp_errorf(l->errors, "CiliumLoadBalancerIPPool %s: cidr_overlap: %s", p->obj->meta.name,
	          p->conflict);
}

/* The younger of two overlapping pools gives way; a pool already
 * conflicting does not push others out. */
static void settle_conflicts(struct lbipam *l)
{
	for (size_t i = 0; i < l->n_pools; i++) {
		struct pool *p = &l->pools[i];
		const struct range *mine, *theirs;
		if (find_overlap(p, p, &mine, &theirs)) {
			mark_conflict(l, p, mine, theirs, p);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (l->pools[j].conflict[0] == '\0' &&
			    find_overlap(p, &l->pools[j], &mine, &theirs)) {
				mark_conflict(l, p, mine, theirs, &l->pools[j]);
				break;
			}
	}
}

/* Whether r may give s an address: it may keep one even from a disabled
 * pool, but new ones need an enabled pool. */
static bool range_serves(const struct range *r, const struct svc *s, bool new_allocation)
{
	const struct pool *p = r->pool;
	if (p->conflict[0] != '\0' || (new_allocation && p->obj->u.pool.disabled))
		return false;
	return k8s_selector_matches(&p->obj->u.pool.service_selector, &s->labels, true);
}

/* The range holding ip that may serve s, or NULL; *in_pool says whether
 * some usable range holds ip at all. */
static struct range *range_of_ip(struct lbipam *l, const struct ip *ip, const struct svc *s,
                                 bool new_allocation, bool *in_pool)
{
	*in_pool = false;
	for (size_t i = 0; i < l->n_pools; i++) {
		struct pool *p = &l->pools[i];
		if (p->conflict[0] != '\0' || (new_allocation && p->obj->u.pool.disabled))
			continue;
		for (size_t j = 0; j < p->n_ranges; j++) {
			if (!range_contains(&p->ranges[j], ip))
				continue;
			*in_pool = true;
			if (range_serves(&p->ranges[j], s, new_allocation))
				return &p->ranges[j];
		}
	}
	return NULL;
}

/* ---- allocations ---- */

/* Index of the first allocation at or above ip. */
static size_t alloc_lower_bound(const struct lbipam *l, const struct ip *ip)
{
	size_t lo = 0, hi = l->n_allocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ip_cmp(&l->allocs[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct alloc *alloc_find(struct lbipam *l, const struct ip *ip)
{
	size_t i = alloc_lower_bound(l, ip);
	return i < l->n_allocs && ip_cmp(&l->allocs[i].ip, ip) == 0 ? &l->allocs[i] : NULL;
}

static struct alloc *alloc_add(struct lbipam *l, const struct ip *ip, struct range *r)
{
	if (l->n_allocs == l->cap_allocs) {
		size_t cap = l->cap_allocs != 0 ? 2 * l->cap_allocs : 16;
		struct alloc *grown = realloc(l->allocs, cap * sizeof(*grown));
		if (grown == NULL) {
			l->oom = true;
			return NULL;
		}
		l->allocs = grown;
		l->cap_allocs = cap;
	}
	size_t i = alloc_lower_bound(l, ip);
	memmove(&l->allocs[i + 1], &l->allocs[i], (l->n_allocs - i) * sizeof(l->allocs[0]));
	l->n_allocs++;
	l->allocs[i] = (struct alloc){ .ip = *ip, .range = r };
	return &l->allocs[i];
}

static void alloc_join(struct lbipam *l, struct alloc *a, struct svc *s)
{
	struct svc **grown = realloc(a->holders, (a->n_holders + 1) * sizeof(*grown));
	if (grown == NULL) {
		l->oom = true;
		return;
	}
	a->holders = grown;
	a->holders[a->n_holders++] = s;
	s->held[s->n_held++] = a->ip;
}

/* The lowest address of r nobody holds. */
static bool range_lowest_free(const struct lbipam *l, const struct range *r, struct ip *out)
{
	struct ip c = r->first;
	cp_u128 last = r->last.v;
	if (r->reserve_ends) {
		c.v++;
		last--;
	}
	for (size_t i = alloc_lower_bound(l, &c);
	     i < l->n_allocs && ip_cmp(&l->allocs[i].ip, &c) == 0; i++) {
		if (c.v == last)
			return false;
		c.v++;
	}
	*out = c;
	return true;
}

/* The next item of a comma-separated list (NULL is empty): false at the end. */
static bool next_item(const char **p, const char **item, size_t *n)
{
	if (*p == NULL || **p == '\0')
		return false;
	*item = *p;
	*n = strcspn(*p, ",");
	*p += *n + ((*p)[*n] == ',');
	return true;
}

/* Whether the namespace list ("*" for all) names ns. */
static bool ns_listed(const char *list, const char *ns)
{
	const char *item;
	size_t n;
	for (const char *p = list; next_item(&p, &item, &n);)
		if ((n == 1 && *item == '*') || (n == strlen(ns) && strncmp(item, ns, n) == 0))
			return true;
	return false;
}

/* Why a and b may not share an address (Cilium's words), or NULL. */
static const char *incompatibility(const struct svc *a, const struct svc *b)
{
	if (a->sharing_key == NULL || b->sharing_key == NULL ||
	    strcmp(a->sharing_key, b->sharing_key) != 0)
		return "different sharing key";
	const char *na = a->obj->meta.ns, *nb = b->obj->meta.ns;
	if (strcmp(na, nb) != 0 && !(ns_listed(a->cross_ns, nb) && ns_listed(b->cross_ns, na)))
		return "different and not permitted namespace";
	if (a->obj->u.service.external_tp != b->obj->u.service.external_tp)
		return "different ExternalTrafficPolicy";
	return NULL;
}

static const char *group_incompatibility(const struct alloc *a, const struct svc *s)
{
	for (size_t i = 0; i < a->n_holders; i++) {
		const char *why = incompatibility(a->holders[i], s);
		if (why != NULL)
			return why;
	}
	return NULL;
}

enum claim { CLAIM_OK, CLAIM_TAKEN, CLAIM_INCOMPATIBLE };

/* Give s the address ip of r: a new allocation, or a place in the group
 * already sharing it. */
static enum claim claim(struct lbipam *l, struct svc *s, const struct ip *ip, struct range *r,
                        const char **why)
{
	if (is_reserved(r, ip))
		return CLAIM_TAKEN;
	struct alloc *a = alloc_find(l, ip);
	if (a != NULL && s->sharing_key == NULL)
		return CLAIM_TAKEN;
	if (a != NULL && (*why = group_incompatibility(a, s)) != NULL)
		return CLAIM_INCOMPATIBLE;
	if (a == NULL)
		a = alloc_add(l, ip, r);
	if (a != NULL)
		alloc_join(l, a, s);
	return CLAIM_OK;
}

/* ---- services ---- */

static bool holds(const struct svc *s, const struct ip *ip)
{
	for (size_t i = 0; i < s->n_held; i++)
		if (ip_cmp(&s->held[i], ip) == 0)
			return true;
	return false;
}

static bool holds_family(const struct svc *s, uint8_t af)
{
	for (size_t i = 0; i < s->n_held; i++)
		if (s->held[i].af == af)
			return true;
	return false;
}

static bool requests(const struct svc *s, const struct ip *ip)
{
	for (size_t i = 0; i < s->n_requested; i++)
		if (ip_cmp(&s->requested[i], ip) == 0)
			return true;
	return false;
}

static void fail(struct svc *s, const char *reason, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void fail(struct svc *s, const char *reason, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	s->reason = reason;
}

/* Step 3: keep what the Service already holds, if it may still have it. */
static void keep_held(struct lbipam *l, struct svc *s)
{
	const struct k8s_service *spec = &s->obj->u.service;
	for (size_t i = 0; i < spec->n_ingress_ips; i++) {
		struct ip ip;
		bool in_pool;
		const char *why;
		if (!ip_from_sockaddr(&spec->ingress_ips[i], &ip) || holds(s, &ip))
			continue;
		if (s->n_requested != 0 ? !requests(s, &ip) : !s->want[ip.af])
			continue;
		struct range *r = range_of_ip(l, &ip, s, false, &in_pool);
		if (r != NULL)
			claim(l, s, &ip, r, &why);
	}
}

static void give_requested(struct lbipam *l, struct svc *s, const struct ip *ip)
{
	char text[ADDR_TEXT_MAX];
	bool in_pool;
	const char *why = NULL;
	ip_text(ip, text);
	struct range *r = range_of_ip(l, ip, s, true, &in_pool);
	if (r == NULL && in_pool)
		fail(s, "pool_selector_mismatch",
		     "The pool with the CIDR containing '%s', doesn't select this service", text);
	else if (r == NULL)
		fail(s, "no_pool", "No pool exists with a CIDR containing '%s'", text);
	else if (claim(l, s, ip, r, &why) == CLAIM_TAKEN)
		fail(s, "already_allocated", "The IP '%s' is already allocated to another service",
		     text);
	else if (why != NULL)
		fail(s, "already_allocated_incompatible_service",
		     "The IP '%s' is already allocated to an incompatible service. Reason: %s",
		     text, why);
}

/* Join an address of family af that compatible Services already share. */
static bool share_family(struct lbipam *l, struct svc *s, uint8_t af)
{
	if (s->sharing_key == NULL)
		return false;
	for (size_t i = 0; i < l->n_allocs; i++) {
		struct alloc *a = &l->allocs[i];
		if (a->ip.af == af && group_incompatibility(a, s) == NULL) {
			alloc_join(l, a, s);
			return true;
		}
	}
	return false;
}

static void give_family(struct lbipam *l, struct svc *s, uint8_t af)
{
	if (share_family(l, s, af))
		return;
	bool full = false;
	for (size_t i = 0; i < l->n_pools; i++)
		for (size_t j = 0; j < l->pools[i].n_ranges; j++) {
			struct range *r = &l->pools[i].ranges[j];
			struct ip ip;
			const char *why;
			if (r->first.af != af || !range_serves(r, s, true))
				continue;
			if (range_lowest_free(l, r, &ip)) {
				claim(l, s, &ip, r, &why);
				return;
			}
			full = true;
		}
	if (full)
		fail(s, "out_of_ips", MSG_FULL);
	else
		fail(s, "no_pool", MSG_NO_POOL);
}

/* Step 4: what the Service still lacks. */
static void satisfy(struct lbipam *l, struct svc *s)
{
	for (size_t i = 0; i < s->n_requested; i++)
		if (!holds(s, &s->requested[i]))
			give_requested(l, s, &s->requested[i]);
	for (uint8_t af = 0; s->n_requested == 0 && af < BGP_AF_COUNT; af++)
		if (s->want[af] && !holds_family(s, af))
			give_family(l, s, af);
}

static bool served(const struct k8s_object *o)
{
	const char *cls = o->u.service.lb_class;
	return o->u.service.type == K8S_SVC_LOAD_BALANCER &&
	       (cls == NULL || strcmp(cls, "io.cilium/bgp-control-plane") == 0 ||
	        strcmp(cls, "io.cilium/l2-announcer") == 0);
}

/* SingleStack (or no policy) takes the listed family, IPv4 when none is;
 * PreferDualStack the listed ones, both when none is; RequireDualStack both. */
static void want_families(const struct k8s_service *spec, bool want[BGP_AF_COUNT])
{
	bool v4 = spec->ip_families & BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	bool v6 = spec->ip_families & BGP_AF_BIT(BGP_AF_IPV6_UNICAST);
	bool listed = v4 || v6;
	switch (spec->ip_family_policy) {
	case K8S_IPFP_SINGLE_STACK:
		want[BGP_AF_IPV6_UNICAST] = v6 && !v4;
		want[BGP_AF_IPV4_UNICAST] = !want[BGP_AF_IPV6_UNICAST];
		break;
	case K8S_IPFP_PREFER_DUAL:
		want[BGP_AF_IPV4_UNICAST] = v4 || !listed;
		want[BGP_AF_IPV6_UNICAST] = v6 || !listed;
		break;
	case K8S_IPFP_REQUIRE_DUAL:
		want[BGP_AF_IPV4_UNICAST] = want[BGP_AF_IPV6_UNICAST] = true;
		break;
	}
}

/* An annotation under its name or Cilium's older alias, NULL when empty. */
static const char *annotation(const struct k8s_object *o, const char *key, const char *alias)
{
	const char *v = json_string_value(json_object_get(o->meta.annotations, key));
	if (v == NULL)
		v = json_string_value(json_object_get(o->meta.annotations, alias));
	return v != NULL && *v != '\0' ? v : NULL;
}

static void request(struct svc *s, const struct ip *ip)
{
	if (!requests(s, ip))
		s->requested[s->n_requested++] = *ip;
}

/* One address of the lbipam.cilium.io/ips list, spaces around it allowed. */
static void request_text(struct lbipam *l, struct svc *s, const char *p, size_t n)
{
	char text[ADDR_TEXT_MAX];
	union sockaddr_any sa;
	struct ip ip;
	for (; n > 0 && isspace((unsigned char)*p); n--)
		p++;
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	bool ok = n < sizeof(text);
	if (ok) {
		memcpy(text, p, n);
		text[n] = '\0';
	}
	if (ok && addr_parse(text, 0, &sa) == 0 && ip_from_sockaddr(&sa, &ip))
		request(s, &ip);
	else
		cp_errorf(l->errors,
		          "Service %s/%s: annotation lbipam.cilium.io/ips: '%.*s' is not an IP "
		          "address",
		          s->obj->meta.ns, s->obj->meta.name, (int)n, p);
}

static int load_requests(struct lbipam *l, struct svc *s)
{
	const struct k8s_service *spec = &s->obj->u.service;
	const char *list = annotation(s->obj, "lbipam.cilium.io/ips", "io.cilium/lb-ipam-ips");
	size_t cap = spec->has_lb_ip, n;
	const char *item;
	for (const char *p = list; next_item(&p, &item, &n);)
		cap++;
	s->requested = cap != 0 ? calloc(cap, sizeof(*s->requested)) : NULL;
	if (cap != 0 && s->requested == NULL)
		return -1;
	struct ip ip;
	if (spec->has_lb_ip && ip_from_sockaddr(&spec->lb_ip, &ip))
		request(s, &ip);
	for (const char *p = list; next_item(&p, &item, &n);)
		request_text(l, s, item, n);
	return 0;
}

static int svc_load(struct lbipam *l, struct svc *s, const struct k8s_object *o)
{
	*s = (struct svc){ .obj = o };
	s->labels = (struct k8s_labels){
		.map = o->meta.labels,
		.extra_key = { "io.kubernetes.service.name", "io.kubernetes.service.namespace" },
		.extra_value = { o->meta.name, o->meta.ns },
	};
	want_families(&o->u.service, s->want);
	s->sharing_key =
	        annotation(o, "lbipam.cilium.io/sharing-key", "io.cilium/lb-ipam-sharing-key");
	s->cross_ns = annotation(o, "lbipam.cilium.io/sharing-cross-namespace",
	                         "io.cilium/lb-ipam-sharing-cross-namespace");
	if (load_requests(l, s) < 0)
		return -1;
	/* Each held address was requested, or is one per family. */
	s->held = calloc(s->n_requested + o->u.service.n_ingress_ips + BGP_AF_COUNT,
	                 sizeof(*s->held));
	return s->held != NULL ? 0 : -1;
}

/* Holders of an address first, so what a restart reads back stays put. */
static int allocation_order(const void *a, const void *b)
{
	const struct k8s_object *x = *(const struct k8s_object *const *)a;
	const struct k8s_object *y = *(const struct k8s_object *const *)b;
	bool hx = x->u.service.n_ingress_ips != 0, hy = y->u.service.n_ingress_ips != 0;
	return hx != hy ? (hx ? -1 : 1) : age_cmp(x, y);
}

static void load_services(struct lbipam *l, const struct k8s_store *s)
{
	size_t n;
	const struct k8s_object **objs = cp_by_age(s, K8S_SERVICE, &n);
	l->svcs = calloc(n + 1, sizeof(*l->svcs));
	l->oom |= objs == NULL || l->svcs == NULL;
	if (!l->oom && n > 1)
		qsort(objs, n, sizeof(*objs), allocation_order);
	for (size_t i = 0; !l->oom && i < n; i++)
		if (served(objs[i]) && svc_load(l, &l->svcs[l->n_svcs++], objs[i]) < 0)
			l->oom = true;
	free(objs);
}

/* ---- statuses ---- */

static const json_t *find_condition(const json_t *status, const char *type)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(status, "conditions"), i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

/* A metav1.Condition; it changed at now unless the current status already
 * had it with the same status. */
static json_t *condition(const json_t *current, const char *type, const char *status,
                         const char *reason, const char *message, const char *now)
{
	const json_t *old = find_condition(current, type);
	const char *since = json_string_value(json_object_get(old, "lastTransitionTime"));
	const char *old_status = json_string_value(json_object_get(old, "status"));
	if (since == NULL || old_status == NULL || strcmp(old_status, status) != 0)
		since = now;
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "status", status, "reason",
	                 reason, "message", message, "lastTransitionTime", since);
}

/* The current conditions with cond set in place, as SetStatusCondition does. */
static json_t *conditions_with(const json_t *current, json_t *cond)
{
	json_t *out = json_array();
	const char *type = json_string_value(json_object_get(cond, "type"));
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(current, "conditions"), i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		bool ours = t != NULL && strcmp(t, type) == 0;
		json_array_append_new(out, ours ? json_incref(cond) : json_deep_copy(c));
	}
	if (find_condition(current, type) == NULL)
		json_array_append(out, cond);
	json_decref(cond);
	return out;
}

static json_t *service_status(struct lbipam *l, const struct svc *s, const char *now)
{
	json_t *ingress = json_array(), *lb = json_object();
	char text[ADDR_TEXT_MAX];
	for (size_t i = 0; i < s->n_held; i++)
		json_array_append_new(ingress,
		                      json_pack("{s:s}", "ip", ip_text(&s->held[i], text)));
	if (s->n_held != 0)
		json_object_set(lb, "ingress", ingress);
	json_decref(ingress);
	if (s->reason != NULL)
		cp_errorf(l->errors, "Service %s/%s: %s: %s", s->obj->meta.ns, s->obj->meta.name,
		          s->reason, s->message);
	const json_t *current = s->obj->status;
	json_t *cond =
	        s->reason == NULL
	                ? condition(current, COND_SATISFIED, "True", "satisfied", "", now)
	                : condition(current, COND_SATISFIED, "False", s->reason, s->message, now);
	return json_pack("{s:o, s:o}", "loadBalancer", lb, "conditions",
	                 conditions_with(current, cond));
}

/* The status of a Service LB-IPAM served and serves no more (no longer a
 * LoadBalancer, another class): its addresses and our condition go, the
 * rest stays. Our condition is the mark of having served it, so a Service
 * some other controller serves is never touched. */
static json_t *released_status(const struct k8s_object *o)
{
	json_t *conditions = json_array();
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(o->status, "conditions"), i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		if (t == NULL || strcmp(t, COND_SATISFIED) != 0)
			json_array_append_new(conditions, json_deep_copy(c));
	}
	return json_pack("{s:{}, s:o}", "loadBalancer", "conditions", conditions);
}

static json_t *services_json(struct lbipam *l, const struct k8s_store *store, const char *now)
{
	json_t *out = json_object();
	char key[512];
	for (size_t i = 0; i < l->n_svcs; i++) {
		const struct svc *s = &l->svcs[i];
		snprintf(key, sizeof(key), "%s/%s", s->obj->meta.ns, s->obj->meta.name);
		json_object_set_new(out, key, service_status(l, s, now));
	}
	for (size_t i = 0; i < k8s_store_count(store, K8S_SERVICE); i++) {
		const struct k8s_object *o = k8s_store_at(store, K8S_SERVICE, i);
		if (served(o) || find_condition(o->status, COND_SATISFIED) == NULL)
			continue;
		snprintf(key, sizeof(key), "%s/%s", o->meta.ns, o->meta.name);
		json_object_set_new(out, key, released_status(o));
	}
	return out;
}

/* Cilium's counts: every address of every range is in the total, and
 * reserved first and last addresses count as used. */
static void pool_counts(const struct lbipam *l, const struct pool *p, cp_u128 *total, cp_u128 *used)
{
	*total = *used = 0;
	for (size_t i = 0; i < p->n_ranges; i++) {
		const struct range *r = &p->ranges[i];
		*total = add_saturating(*total, add_saturating(r->last.v - r->first.v, 1));
		*used += r->reserve_ends ? 2 : 0;
	}
	for (size_t i = 0; i < l->n_allocs; i++)
		*used += l->allocs[i].range->pool == p;
}

static json_t *count_condition(const json_t *current, const char *type, cp_u128 n, const char *now)
{
	char digits[40];
	return condition(current, type, "Unknown", "noreason", u128_text(n, digits), now);
}

static json_t *pool_status(const struct lbipam *l, const struct pool *p, const char *now)
{
	const json_t *cur = p->obj->status;
	bool conflict = p->conflict[0] != '\0';
	cp_u128 total, used;
	pool_counts(l, p, &total, &used);
	json_t *conds = json_array();
	json_array_append_new(conds,
	                      condition(cur, "cilium.io/PoolConflict", conflict ? "True" : "False",
	                                conflict ? "cidr_overlap" : "resolved", p->conflict, now));
	json_array_append_new(conds, count_condition(cur, "cilium.io/IPsTotal", total, now));
	json_array_append_new(conds,
	                      count_condition(cur, "cilium.io/IPsAvailable", total - used, now));
	json_array_append_new(conds, count_condition(cur, "cilium.io/IPsUsed", used, now));
	return json_pack("{s:o}", "conditions", conds);
}

static json_t *pools_json(const struct lbipam *l, const char *now)
{
	json_t *out = json_object();
	for (size_t i = 0; i < l->n_pools; i++)
		json_object_set_new(out, l->pools[i].obj->meta.name,
		                    pool_status(l, &l->pools[i], now));
	return out;
}

/* ---- the pass ---- */

static void allocate(struct lbipam *l)
{
	for (size_t i = 0; i < l->n_svcs; i++)
		keep_held(l, &l->svcs[i]);
	for (size_t i = 0; i < l->n_svcs; i++)
		satisfy(l, &l->svcs[i]);
}

static void lbipam_free(struct lbipam *l)
{
	for (size_t i = 0; i < l->n_pools; i++)
		free(l->pools[i].ranges);
	for (size_t i = 0; i < l->n_svcs; i++) {
		free(l->svcs[i].requested);
		free(l->svcs[i].held);
	}
	for (size_t i = 0; i < l->n_allocs; i++)
		free(l->allocs[i].holders);
	free(l->pools);
	free(l->svcs);
	free(l->allocs);
	json_decref(l->errors);
}

json_t *cp_lbipam(const struct k8s_store *s, const char *now)
{
	struct lbipam l = { .errors = json_array() };
	load_pools(&l, s);
	/* Without a pool LB-IPAM is dormant: it touches no Service. */
	if (l.n_pools != 0)
		load_services(&l, s);
	settle_conflicts(&l);
	allocate(&l);
	/* Built in turn: each appends to errors. */
	json_t *services = services_json(&l, s, now);
	json_t *pools = pools_json(&l, now);
	json_t *out = NULL;
	if (l.oom) {
		json_decref(services);
		json_decref(pools);
	} else {
		out = json_pack("{s:o, s:o, s:O}", "services", services, "pools", pools, "errors",
		                l.errors);
	}
	lbipam_free(&l);
	return out;
}
