/*
 * adjout: per-peer output table and UPDATE generation.
 */
#include "rib/adjout.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/update_build.h"

/* One attribute set and the prefixes going out with it. */
struct group {
	struct attrset *attrs;
	enum bgp_af af;
	struct bgp_prefix *v;
	size_t n, cap;
};

void adjout_init(struct adjout *o)
{
	memset(o, 0, sizeof(*o));
}

static struct rib_out **out_of(const struct adjout *o, struct rib_entry *e)
{
	struct rib_out **pp = &e->out;
	while (*pp != NULL && (*pp)->owner != o)
		pp = &(*pp)->next;
	return pp;
}

static void out_drop(struct adjout *o, struct rib *r, struct rib_entry *e, struct rib_out **pp)
{
	struct rib_out *gone = *pp;
	*pp = gone->next;
	attrset_unref(&r->attrs, gone->attrs);
	slab_free(&r->out_slab, gone);
	o->count[e->af]--;
}

/* What a walk forgets: one Adj-RIB-Out's records of one family or all. */
struct forget {
	struct adjout *o;
	int af;
};

static void forget_entry(struct rib *r, struct rib_entry *e, void *ctx)
{
	struct forget *f = ctx;
	if (f->af >= 0 && e->af != f->af)
		return;
	struct rib_out **pp = out_of(f->o, e);
	if (*pp == NULL)
		return;
	out_drop(f->o, r, e, pp);
	rib_settle(r, e);
}

static void forget(struct adjout *o, struct rib *r, int af)
{
	struct forget f = { o, af };
	if (af >= 0 ? o->count[af] > 0 : o->count[0] + o->count[1] > 0)
		rib_walk(r, forget_entry, &f);
}

void adjout_free(struct adjout *o, struct rib *r)
{
	forget(o, r, -1);
	for (size_t i = o->done_pending; i < o->n_pending; i++)
		rib_release(r, o->pending[i]);
	free(o->pending);
	adjout_init(o);
}

void adjout_forget(struct adjout *o, struct rib *r, enum bgp_af af)
{
	forget(o, r, (int)af);
}

int adjout_mark(struct adjout *o, struct rib_entry *e)
{
	if (o->n_pending == o->cap_pending) {
		size_t cap = o->cap_pending == 0 ? 256 : o->cap_pending * 2;
		struct rib_entry **grown = realloc(o->pending, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		o->pending = grown;
		o->cap_pending = cap;
	}
	rib_hold(e);
	o->pending[o->n_pending++] = e;
	return 0;
}

const struct attrset *adjout_sent(const struct adjout *o, const struct rib_entry *e)
{
	for (const struct rib_out *n = e->out; n != NULL; n = n->next)
		if (n->owner == o)
			return n->attrs;
	return NULL;
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

/* Record the new state of e; true when the peer must hear of it. */
static bool record(struct adjout *o, struct rib *r, struct rib_entry *e, struct attrset *want)
{
	struct rib_out **pp = out_of(o, e), *n = *pp;
	if (n != NULL && n->attrs == want) {
		attrset_unref(&r->attrs, want);
		return false;
	}
	if (n == NULL && want == NULL)
		return false;
	if (n == NULL) {
		n = slab_alloc(&r->out_slab);
		if (n == NULL) {
			attrset_unref(&r->attrs, want);
			return false;
		}
		n->owner = o;
		n->attrs = want;
		n->next = e->out;
		e->out = n;
		o->count[e->af]++;
		return true;
	}
	if (want == NULL) {
		out_drop(o, r, e, pp);
		return true;
	}
	attrset_unref(&r->attrs, n->attrs);
	n->attrs = want;
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

int adjout_flush(struct adjout *o, struct rib *r, const struct bgp_session_ctx *ctx, size_t max_len,
                 size_t budget, const struct adjout_ops *ops, void *cb)
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
		struct rib_entry *e = o->pending[i];
		struct attrset *want = ops->export(cb, e);
		struct attrset *keep = want; /* group key; record may drop the reference */
		if (record(o, r, e, want)) {
			struct group *g = group_for(&groups, &n_groups, &cap_groups, keep,
			                            (enum bgp_af)e->af);
			struct bgp_prefix p = rib_entry_prefix(e);
			if (g == NULL || group_add(g, &p) < 0)
				rc = -1;
		}
		rib_release(r, e);
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
