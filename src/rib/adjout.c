/*
 * adjout: per-peer output table and UPDATE generation.
 */
#include "rib/adjout.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/update_build.h"

struct adjout_route {
	struct bgp_prefix prefix;
	struct attrset *attrs;
};

/* One attribute set and the prefixes going out with it. */
struct group {
	struct attrset *attrs;
	enum bgp_af af;
	struct bgp_prefix *v;
	size_t n, cap;
};

static uint64_t route_hash(const void *elem)
{
	return bgp_prefix_hash(&((const struct adjout_route *)elem)->prefix);
}

static bool route_is(const void *elem, const void *key)
{
	return bgp_prefix_cmp(&((const struct adjout_route *)elem)->prefix, key) == 0;
}

void adjout_init(struct adjout *o)
{
	memset(o, 0, sizeof(*o));
	htab_init(&o->sent, route_hash);
	slab_init(&o->routes, sizeof(struct adjout_route));
}

void adjout_free(struct adjout *o, struct attrset_table *t)
{
	size_t pos = 0;
	struct adjout_route *r;
	while ((r = htab_next(&o->sent, &pos)) != NULL)
		attrset_unref(t, r->attrs);
	htab_free(&o->sent);
	slab_destroy(&o->routes);
	free(o->pending);
	adjout_init(o);
}

void adjout_forget(struct adjout *o, struct attrset_table *t, enum bgp_af af)
{
	struct adjout_route **doomed = malloc(o->count[af] * sizeof(*doomed) + 1);
	struct adjout_route *r;
	size_t pos = 0, n = 0;

	if (doomed == NULL)
		return;
	/* Collect first: removing from the table while walking it moves
	 * entries under the cursor. */
	while ((r = htab_next(&o->sent, &pos)) != NULL)
		if (r->prefix.af == af && n < o->count[af])
			doomed[n++] = r;
	for (size_t i = 0; i < n; i++) {
		htab_remove(&o->sent, doomed[i]);
		attrset_unref(t, doomed[i]->attrs);
		slab_free(&o->routes, doomed[i]);
	}
	free(doomed);
	o->count[af] = 0;
}

int adjout_mark(struct adjout *o, const struct bgp_prefix *p)
{
	if (o->n_pending == o->cap_pending) {
		size_t cap = o->cap_pending == 0 ? 256 : o->cap_pending * 2;
		struct bgp_prefix *grown = realloc(o->pending, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		o->pending = grown;
		o->cap_pending = cap;
	}
	o->pending[o->n_pending++] = *p;
	return 0;
}

const struct attrset *adjout_sent(const struct adjout *o, const struct bgp_prefix *p)
{
	const struct adjout_route *r = htab_find(&o->sent, bgp_prefix_hash(p), p, route_is);
	return r != NULL ? r->attrs : NULL;
}

static int group_add(struct group *g, const struct bgp_prefix *p)
{
	if (g->n == g->cap) {
		size_t cap = g->cap == 0 ? 64 : g->cap * 2;
		struct bgp_prefix *grown = realloc(g->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		g->v = grown;
		g->cap = cap;
	}
	g->v[g->n++] = *p;
	return 0;
}

/* The group for (attrs, af), made if new; groups are few per flush. */
static struct group *group_for(struct group **groups, size_t *n, size_t *cap, struct attrset *attrs,
                               enum bgp_af af)
{
	for (size_t i = 0; i < *n; i++)
		if ((*groups)[i].attrs == attrs && (*groups)[i].af == af)
			return &(*groups)[i];
	if (*n == *cap) {
		size_t grown_cap = *cap == 0 ? 16 : *cap * 2;
		struct group *grown = realloc(*groups, grown_cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		*groups = grown;
		*cap = grown_cap;
	}
	(*groups)[*n] = (struct group){ .attrs = attrs, .af = af };
	return &(*groups)[(*n)++];
}

/* Record the new state of p; true when the peer must hear of it. */
static bool record(struct adjout *o, struct attrset_table *t, const struct bgp_prefix *p,
                   struct attrset *want)
{
	struct adjout_route *r = htab_find(&o->sent, bgp_prefix_hash(p), p, route_is);
	if (r != NULL && r->attrs == want) {
		attrset_unref(t, want);
		return false;
	}
	if (r == NULL && want == NULL)
		return false;
	if (r == NULL) {
		r = slab_alloc(&o->routes);
		if (r == NULL) {
			attrset_unref(t, want);
			return false;
		}
		r->prefix = *p;
		r->attrs = want;
		htab_add(&o->sent, r);
		o->count[p->af]++;
		return true;
	}
	attrset_unref(t, r->attrs);
	if (want != NULL) {
		r->attrs = want;
		return true;
	}
	htab_remove(&o->sent, r);
	o->count[p->af]--;
	slab_free(&o->routes, r);
	return true;
}

static int emit(const struct group *g, const struct bgp_session_ctx *ctx, size_t max_len,
                const struct adjout_ops *ops, void *cb)
{
	static uint8_t msg[BGP_EXT_MAX_LEN];
	for (size_t done = 0; done < g->n;) {
		struct wbuf w;
		wbuf_init(&w, msg, sizeof(msg));
		size_t k =
		        bgp_update_build(&w, max_len, ctx, g->attrs != NULL ? &g->attrs->a : NULL,
		                         g->af, g->v + done, g->n - done);
		if (k == 0 || !wbuf_ok(&w) || ops->send(cb, w.p, w.len) < 0)
			return -1;
		done += k;
	}
	return 0;
}

int adjout_flush(struct adjout *o, struct attrset_table *t, const struct bgp_session_ctx *ctx,
                 size_t max_len, size_t budget, const struct adjout_ops *ops, void *cb)
{
	struct group *groups = NULL;
	size_t n_groups = 0, cap_groups = 0;
	int rc = 0;

	/* Withdrawals go in groups with no attributes, one per family,
	 * created first so they are sent first. */
	for (int af = 0; af < BGP_AF_COUNT; af++)
		group_for(&groups, &n_groups, &cap_groups, NULL, (enum bgp_af)af);
	size_t end =
	        o->n_pending - o->done_pending > budget ? o->done_pending + budget : o->n_pending;
	for (size_t i = o->done_pending; i < end; i++) {
		const struct bgp_prefix *p = &o->pending[i];
		struct attrset *want = ops->export(cb, p);
		struct attrset *keep = want; /* group key; record may drop the reference */
		if (!record(o, t, p, want))
			continue;
		struct group *g =
		        group_for(&groups, &n_groups, &cap_groups, keep, (enum bgp_af)p->af);
		if (g == NULL || group_add(g, p) < 0)
			rc = -1;
	}
	o->done_pending = end;
	if (end == o->n_pending)
		o->n_pending = o->done_pending = 0;
	for (size_t i = 0; i < n_groups; i++) {
		if (rc == 0 && groups[i].n > 0)
			rc = emit(&groups[i], ctx, max_len, ops, cb);
		free(groups[i].v);
	}
	free(groups);
	return rc < 0 ? -1 : adjout_busy(o);
}
