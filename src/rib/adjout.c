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
	for (int af = 0; af < BGP_AF_COUNT; af++)
		idblocks_init(&o->sent[af], sizeof(uint32_t));
}

/* Where what e was sent with is kept, or NULL if its block was never
 * needed. */
static uint32_t *sent_slot(const struct adjout *o, const struct rib_entry *e)
{
	return idblocks_at(&o->sent[e->af], e->id);
}

/* The same, with its block made if need be; NULL out of memory. */
static uint32_t *sent_slot_make(struct adjout *o, const struct rib_entry *e)
{
	return idblocks_make(&o->sent[e->af], e->id);
}

/* e was withdrawn: forget what it was sent with, and let it go. */
static void sent_drop(struct adjout *o, struct rib *r, struct rib_entry *e, uint32_t *slot)
{
	attrset_unref(&r->attrs, attrset_by_id(&r->attrs, *slot));
	*slot = 0;
	o->count[e->af]--;
	rib_release(r, e);
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
	uint32_t *slot = sent_slot(f->o, e);
	if (slot != NULL && *slot != 0)
		sent_drop(f->o, r, e, slot);
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
	for (int af = 0; af < BGP_AF_COUNT; af++)
		idblocks_free(&o->sent[af]);
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

const struct attrset *adjout_sent(const struct adjout *o, const struct rib *r,
                                  const struct rib_entry *e)
{
	uint32_t *slot = sent_slot(o, e);
	return slot != NULL ? attrset_by_id(&r->attrs, *slot) : NULL;
}

static int group_add(struct group *g, const struct rib_entry *e)
{
	if (g->n == g->cap) {
		size_t cap = g->cap == 0 ? 64 : g->cap * 2;
		struct bgp_prefix *grown = realloc(g->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		g->v = grown;
		g->cap = cap;
	}
	g->v[g->n++] = rib_entry_prefix(e);
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

/* Record the new state of e, taking the reference to want; true when the
 * peer must hear of it.  e is still queued, so a withdrawal cannot free
 * it here. */
static bool record(struct adjout *o, struct rib *r, struct rib_entry *e, struct attrset *want)
{
	uint32_t *slot = want != NULL ? sent_slot_make(o, e) : sent_slot(o, e);
	struct attrset *had = slot != NULL ? attrset_by_id(&r->attrs, *slot) : NULL;
	if (had == want || slot == NULL) { /* unchanged, or out of memory */
		if (want != NULL)
			attrset_unref(&r->attrs, want);
		return false;
	}
	if (want == NULL) {
		sent_drop(o, r, e, slot);
		return true;
	}
	if (had == NULL) {
		rib_hold(e);
		o->count[e->af]++;
	} else {
		attrset_unref(&r->attrs, had);
	}
	*slot = want->id;
	return true;
}

static int emit(const struct group *g, const struct bgp_session_ctx *ctx, size_t max_len,
                const struct adjout_ops *ops, void *cb)
{
	static uint8_t msg[BGP_EXT_MAX_LEN];
	struct bgp_attrs a;
	if (g->attrs != NULL)
		attrset_attrs(g->attrs, &a);
	for (size_t done = 0; done < g->n;) {
		struct wbuf w;
		wbuf_init(&w, msg, sizeof(msg));
		size_t k = bgp_update_build(&w, max_len, ctx, g->attrs != NULL ? &a : NULL, g->af,
		                            g->v + done, g->n - done);
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
			if (g == NULL || group_add(g, e) < 0)
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
