/*
 * rib: entries, paths, sources, and re-deciding an entry after a change.
 */
#include "rib/rib.h"

#include <stdlib.h>
#include <string.h>

#define MULTIPATH_MAX 64

static uint64_t entry_hash(const void *elem)
{
	return bgp_prefix_hash(&((const struct rib_entry *)elem)->prefix);
}

static bool entry_is(const void *elem, const void *key)
{
	const struct bgp_prefix *a = &((const struct rib_entry *)elem)->prefix, *b = key;
	return a->af == b->af && a->len == b->len && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

void rib_init(struct rib *r, const struct decide_config *cfg,
              void (*changed)(void *ctx, struct rib_entry *e), void *ctx)
{
	memset(r, 0, sizeof(*r));
	htab_init(&r->entries, entry_hash);
	slab_init(&r->entry_slab, sizeof(struct rib_entry));
	slab_init(&r->path_slab, sizeof(struct rib_path));
	attrset_table_init(&r->attrs);
	r->decide = *cfg;
	r->changed = changed;
	r->ctx = ctx;
}

struct rib_entry *rib_lookup(const struct rib *r, const struct bgp_prefix *p)
{
	return htab_find(&r->entries, bgp_prefix_hash(p), p, entry_is);
}

struct rib_entry *rib_next(const struct rib *r, size_t *pos)
{
	return htab_next(&r->entries, pos);
}

static struct decide_path decide_view(const struct rib_path *p)
{
	const struct rib_source *s = p->src;
	return (struct decide_path){ .attrs = &p->attrs->a,
		                     .weight = s->weight,
		                     .local = s->local,
		                     .ebgp = s->ebgp,
		                     .peer_asn = s->asn,
		                     .peer_id = s->router_id,
		                     .peer_addr = s->addr,
		                     .received_at = p->received_at };
}

/* The selection an entry shows the outside: best and ECMP members. */
struct selection {
	const struct rib_path *best;
	size_t n;
	const struct rib_path *members[MULTIPATH_MAX];
};

static void selection_of(const struct rib_entry *e, struct selection *sel)
{
	sel->best = e->paths;
	sel->n = 0;
	for (const struct rib_path *p = e->paths; p != NULL && sel->n < MULTIPATH_MAX; p = p->next)
		if (p->multipath)
			sel->members[sel->n++] = p;
}

static bool same_selection(const struct selection *a, const struct selection *b)
{
	return a->best == b->best && a->n == b->n &&
	       memcmp(a->members, b->members, a->n * sizeof(a->members[0])) == 0;
}

/* Unlink p from the entry's list. */
static void entry_unlink(struct rib_entry *e, struct rib_path *p)
{
	struct rib_path **pp = &e->paths;
	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
}

/* Find the best path, put it first and its ECMP set right after it. */
static void entry_decide(struct rib *r, struct rib_entry *e)
{
	struct rib_path *best = e->paths, *p;
	enum decide_reason reason, furthest = DECIDE_NONE;

	if (best == NULL)
		return;
	for (p = best->next; p != NULL; p = p->next) {
		struct decide_path a = decide_view(p), b = decide_view(best);
		if (decide_compare(&a, &b, &r->decide, &reason) < 0)
			best = p;
	}
	struct decide_path top = decide_view(best);
	for (p = e->paths; p != NULL; p = p->next) {
		struct decide_path other = decide_view(p);
		if (p != best && decide_compare(&top, &other, &r->decide, &reason) <= 0 &&
		    reason > furthest)
			furthest = reason;
	}
	e->reason = (uint8_t)furthest;
	/* Rebuild the list: best, its ECMP members, the rest. */
	entry_unlink(e, best);
	struct rib_path *members = NULL, **mtail = &members, *rest = NULL, **rtail = &rest;
	uint8_t width = top.ebgp ? r->decide.maximum_paths_ebgp : r->decide.maximum_paths_ibgp;
	e->n_multipath = 1;
	best->multipath = true;
	for (p = e->paths; p != NULL;) {
		struct rib_path *following = p->next;
		struct decide_path cand = decide_view(p);
		p->multipath = e->n_multipath < width && decide_multipath(&top, &cand, &r->decide);
		if (p->multipath) {
			e->n_multipath++;
			*mtail = p;
			mtail = &p->next;
		} else {
			*rtail = p;
			rtail = &p->next;
		}
		p = following;
	}
	*rtail = NULL;
	*mtail = rest;
	best->next = members;
	e->paths = best;
}

static void entry_changed(struct rib *r, struct rib_entry *e, const struct selection *before)
{
	struct selection after;
	entry_decide(r, e);
	selection_of(e, &after);
	if (!same_selection(before, &after) && r->changed != NULL)
		r->changed(r->ctx, e);
	if (e->paths == NULL) {
		htab_remove(&r->entries, e);
		slab_free(&r->entry_slab, e);
	}
}

static void path_free(struct rib *r, struct rib_path *p)
{
	struct rib_source *s = p->src;
	if (p->src_prev != NULL)
		p->src_prev->src_next = p->src_next;
	else
		s->paths = p->src_next;
	if (p->src_next != NULL)
		p->src_next->src_prev = p->src_prev;
	s->count[p->entry->prefix.af]--;
	r->n_paths--;
	attrset_unref(&r->attrs, p->attrs);
	slab_free(&r->path_slab, p);
}

static struct rib_path *entry_path_of(struct rib_entry *e, const struct rib_source *src,
                                      uint32_t path_id)
{
	for (struct rib_path *p = e->paths; p != NULL; p = p->next)
		if (p->src == src && p->path_id == path_id)
			return p;
	return NULL;
}

static struct rib_entry *entry_get(struct rib *r, const struct bgp_prefix *p)
{
	struct rib_entry *e = rib_lookup(r, p);
	if (e != NULL)
		return e;
	e = slab_alloc(&r->entry_slab);
	if (e == NULL)
		return NULL;
	e->prefix = *p;
	e->prefix.path_id = 0;
	if (htab_add(&r->entries, e) < 0) {
		slab_free(&r->entry_slab, e);
		return NULL;
	}
	return e;
}

static struct rib_path *path_new(struct rib *r, struct rib_entry *e, struct rib_source *src,
                                 uint32_t path_id)
{
	struct rib_path *p = slab_alloc(&r->path_slab);
	if (p == NULL)
		return NULL;
	p->entry = e;
	p->src = src;
	p->path_id = path_id;
	p->next = e->paths;
	e->paths = p;
	p->src_next = src->paths;
	if (src->paths != NULL)
		src->paths->src_prev = p;
	src->paths = p;
	src->count[e->prefix.af]++;
	r->n_paths++;
	return p;
}

int rib_update_set(struct rib *r, struct rib_source *src, const struct bgp_prefix *pfx,
                   struct attrset *set, uint64_t now)
{
	struct rib_entry *e = entry_get(r, pfx);
	struct selection before;

	if (e == NULL)
		return -1;
	selection_of(e, &before);
	struct rib_path *p = entry_path_of(e, src, pfx->path_id);
	if (p != NULL && p->attrs == set) {
		p->stale = false; /* nothing new, but fresh again */
		return 0;
	}
	if (p == NULL && (p = path_new(r, e, src, pfx->path_id)) == NULL)
		return -1;
	if (p->attrs != NULL)
		attrset_unref(&r->attrs, p->attrs);
	p->attrs = attrset_ref(set);
	p->received_at = now;
	p->stale = false;
	entry_changed(r, e, &before);
	return 0;
}

int rib_update(struct rib *r, struct rib_source *src, const struct bgp_prefix *pfx,
               const struct bgp_attrs *a, uint64_t now)
{
	struct attrset *set = attrset_intern(&r->attrs, a);
	if (set == NULL)
		return -1;
	int rc = rib_update_set(r, src, pfx, set, now);
	attrset_unref(&r->attrs, set);
	return rc;
}

static void path_remove(struct rib *r, struct rib_path *p)
{
	struct rib_entry *e = p->entry;
	struct selection before;

	selection_of(e, &before);
	entry_unlink(e, p);
	path_free(r, p);
	entry_changed(r, e, &before);
}

void rib_withdraw(struct rib *r, struct rib_source *src, const struct bgp_prefix *pfx)
{
	struct rib_entry *e = rib_lookup(r, pfx);
	struct rib_path *p = e != NULL ? entry_path_of(e, src, pfx->path_id) : NULL;
	if (p != NULL)
		path_remove(r, p);
}

void rib_flush(struct rib *r, struct rib_source *src)
{
	while (src->paths != NULL)
		path_remove(r, src->paths);
}

void rib_mark_stale(struct rib *r, struct rib_source *src, int af)
{
	(void)r;
	for (struct rib_path *p = src->paths; p != NULL; p = p->src_next)
		if (af < 0 || p->entry->prefix.af == af)
			p->stale = true;
}

size_t rib_sweep_stale(struct rib *r, struct rib_source *src, int af)
{
	size_t swept = 0;
	struct rib_path *p = src->paths, *following;
	for (; p != NULL; p = following) {
		following = p->src_next;
		if (p->stale && (af < 0 || p->entry->prefix.af == af)) {
			path_remove(r, p);
			swept++;
		}
	}
	return swept;
}

void rib_free(struct rib *r)
{
	size_t pos = 0;
	struct rib_entry *e;
	while ((e = rib_next(r, &pos)) != NULL) {
		while (e->paths != NULL) {
			struct rib_path *p = e->paths;
			e->paths = p->next;
			path_free(r, p);
		}
	}
	htab_free(&r->entries);
	slab_destroy(&r->entry_slab);
	slab_destroy(&r->path_slab);
	attrset_table_free(&r->attrs);
}
