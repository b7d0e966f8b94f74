/*
 * rib: entries, paths, sources, and re-deciding an entry after a change.
 */
#include "rib/rib.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MULTIPATH_MAX 64

static size_t prefix_bytes(uint8_t af)
{
	return af == BGP_AF_IPV4_UNICAST ? 4 : 16;
}

/* An address of af, compared in one fixed size or the other (as
 * rib_addr_copy copies). */
static bool prefix_addr_equal(const uint8_t *a, const uint8_t *b, uint8_t af)
{
	return af == BGP_AF_IPV4_UNICAST ? memcmp(a, b, 4) == 0 : memcmp(a, b, 16) == 0;
}

/*
 * Entries live in an idslab per family; the prefix index holds a 4-byte
 * handle, the id and the family, instead of a pointer.
 */
static uint32_t handle_of(const struct rib_entry *e)
{
	return e->id * BGP_AF_COUNT + e->af;
}

static struct rib_entry *entry_at(const struct rib *r, uint32_t handle)
{
	return idslab_at(&r->entry_store[handle % BGP_AF_COUNT], handle / BGP_AF_COUNT);
}

static uint64_t entry_hash(const struct rib_entry *e)
{
	return bgp_prefix_hash_parts(e->af, e->len, e->addr);
}

/* What the index's eq sees: the table to find handles in, the prefix. */
struct entry_key {
	const struct rib *r;
	const struct bgp_prefix *p;
};

static bool entry_is(const void *value, const void *key)
{
	const struct entry_key *k = key;
	uint32_t handle;
	memcpy(&handle, value, sizeof(handle));
	const struct rib_entry *e = entry_at(k->r, handle);
	return e->af == k->p->af && e->len == k->p->len &&
	       prefix_addr_equal(e->addr, k->p->addr, e->af);
}

static struct rib_entry *entry_find(const struct rib *r, const struct bgp_prefix *p, uint64_t hash)
{
	struct entry_key key = { r, p };
	const void *value = pindex_find(&r->entries, p, hash, &key, entry_is);
	uint32_t handle;
	if (value == NULL)
		return NULL;
	memcpy(&handle, value, sizeof(handle));
	return entry_at(r, handle);
}

void rib_init(struct rib *r, const struct decide_config *cfg,
              void (*changed)(void *ctx, struct rib_entry *e), void *ctx)
{
	memset(r, 0, sizeof(*r));
	pindex_init(&r->entries);
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		size_t size = offsetof(struct rib_entry, addr) + prefix_bytes((uint8_t)af);
		size_t align = _Alignof(struct rib_entry);
		idslab_init(&r->entry_store[af], (size + align - 1) / align * align);
	}
	idpool_init(&r->source_ids, 1);
	attrset_table_init(&r->attrs);
	r->decide = *cfg;
	r->changed = changed;
	r->ctx = ctx;
}

void rib_local_source_init(struct rib_source *s, uint32_t router_id)
{
	*s = (struct rib_source){ .local = true,
		                  .weight = RIB_LOCAL_WEIGHT,
		                  .router_id = router_id };
}

void rib_local_attrs(enum bgp_af af, struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->origin = BGP_ORIGIN_IGP;
	bgp_attr_set(a, BGP_ATTR_ORIGIN);
	bgp_attr_set(a, BGP_ATTR_AS_PATH);
	if (af == BGP_AF_IPV4_UNICAST) {
		bgp_attr_set(a, BGP_ATTR_NEXT_HOP);
		return;
	}
	a->mp_reach.af = (uint8_t)af;
	a->mp_reach.nh_len = 16;
	bgp_attr_set(a, BGP_ATTR_MP_REACH);
}

struct rib_entry *rib_lookup(const struct rib *r, const struct bgp_prefix *p)
{
	return entry_find(r, p, bgp_prefix_hash(p));
}

void rib_keys_make(const struct rib *r, struct rib_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		keys[i].hash = bgp_prefix_hash(&keys[i].prefix);
		pindex_prefetch_block(&r->entries, &keys[i].prefix);
	}
	for (size_t i = 0; i < n; i++)
		pindex_prefetch(&r->entries, &keys[i].prefix, keys[i].hash);
}

/* The next entry in id order, families interleaved, that exists; NULL at
 * the end.  *pos is a handle: entries come and go behind it safely. */
static struct rib_entry *entry_next(const struct rib *r, size_t *pos)
{
	uint32_t end = 0;
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (idslab_end(&r->entry_store[af]) > end)
			end = idslab_end(&r->entry_store[af]);
	while (*pos < (size_t)end * BGP_AF_COUNT) {
		struct rib_entry *e = entry_at(r, (uint32_t)(*pos)++);
		if (e != NULL && e->live)
			return e;
	}
	return NULL;
}

struct rib_entry *rib_next(const struct rib *r, size_t *pos)
{
	struct rib_entry *e;
	while ((e = entry_next(r, pos)) != NULL && rib_paths(e) == NULL)
		;
	return e;
}

void rib_settle(struct rib *r, struct rib_entry *e)
{
	if (rib_paths(e) != NULL || e->held > 0)
		return;
	struct bgp_prefix p = rib_entry_prefix(e);
	pindex_remove(&r->entries, &p, entry_hash(e), handle_of(e));
	idslab_give(&r->entry_store[e->af], e->id);
}

void rib_release(struct rib *r, struct rib_entry *e)
{
	e->held--;
	rib_settle(r, e);
}

void rib_walk(struct rib *r, void (*fn)(struct rib *r, struct rib_entry *e, void *ctx), void *ctx)
{
	size_t pos = 0;
	struct rib_entry *e;
	while ((e = entry_next(r, &pos)) != NULL)
		fn(r, e, ctx);
}

static struct decide_path decide_view(const struct rib *r, const struct rib_path *p)
{
	const struct rib_source *s = rib_path_source(r, p);
	const struct attrset *set = rib_path_attrs(r, p);
	return (struct decide_path){ .attrs = &set->decide,
		                     .as_path = attrset_as_path(set),
		                     .weight = s->weight,
		                     .local = s->local,
		                     .ebgp = s->ebgp,
		                     .peer_asn = s->asn,
		                     .peer_id = s->router_id,
		                     .peer_addr = s->addr,
		                     .received_s = p->received_s };
}

static struct rib_path *next_path(struct rib_path *p)
{
	return p->last ? NULL : p + 1;
}

/* A path's identity, which outlives its place in the array. */
static uint64_t path_key(const struct rib_path *p)
{
	return (uint64_t)p->src << 32 | p->path_id;
}

/* The selection an entry shows the outside: best and ECMP members. */
struct selection {
	uint64_t best;
	size_t n;
	uint64_t members[MULTIPATH_MAX];
};

static void selection_of(const struct rib_entry *e, struct selection *sel)
{
	sel->best = rib_paths(e) != NULL ? path_key(rib_paths(e)) : 0;
	sel->n = 0;
	for (const struct rib_path *p = rib_paths(e); p != NULL && sel->n < MULTIPATH_MAX;
	     p = rib_path_next(p))
		if (p->multipath)
			sel->members[sel->n++] = path_key(p);
}

static bool same_selection(const struct selection *a, const struct selection *b)
{
	return a->best == b->best && a->n == b->n &&
	       memcmp(a->members, b->members, a->n * sizeof(a->members[0])) == 0;
}

/*
 * An entry's paths are one array, exactly as long as they are many, the
 * last one marked: a single path in the entry itself, more in an array
 * from malloc.  Adding a path makes a new array; removing shrinks one in
 * place, or moves the last path left back into the entry, so it cannot
 * fail.
 */
static struct rib_path *entry_paths(struct rib_entry *e)
{
	return (struct rib_path *)rib_paths(e);
}

static size_t paths_count(const struct rib_entry *e)
{
	size_t n = 0;
	for (const struct rib_path *p = rib_paths(e); p != NULL; p = rib_path_next(p))
		n++;
	return n;
}

static void paths_mark(struct rib_path *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i].last = i + 1 == n;
}

/* Keep the first n paths (n <= how many there are), in the entry when one. */
static void paths_truncate(struct rib_entry *e, size_t n)
{
	if (!e->spilled) {
		if (n == 0)
			memset(&e->paths.one, 0, sizeof(e->paths.one));
		return;
	}
	struct rib_path *v = e->paths.array;
	if (n >= 2) {
		paths_mark(v, n);
		return;
	}
	struct rib_path kept = v[0];
	free(v);
	e->spilled = 0;
	memset(&e->paths.one, 0, sizeof(e->paths.one));
	if (n == 1) {
		e->paths.one = kept;
		e->paths.one.last = true;
	}
}

/* Put a zeroed path in front of e's paths; NULL out of memory.  The
 * caller gives it its attributes (a path without is none). */
static struct rib_path *paths_push(struct rib_entry *e)
{
	size_t n = paths_count(e) + 1;
	if (n == 1) {
		memset(&e->paths.one, 0, sizeof(e->paths.one));
		e->paths.one.last = true;
		return &e->paths.one;
	}
	struct rib_path *v = calloc(n, sizeof(*v));
	if (v == NULL)
		return NULL;
	memcpy(v + 1, entry_paths(e), (n - 1) * sizeof(*v));
	if (e->spilled)
		free(e->paths.array);
	e->paths.array = v;
	e->spilled = 1;
	paths_mark(v, n);
	return v;
}

/* Keep the paths keep() says yes to, in order; how many went.  Those that
 * go must have been forgotten (path_forget) by keep(). */
static size_t paths_filter(struct rib *r, struct rib_entry *e,
                           bool (*keep)(struct rib *r, struct rib_entry *e, struct rib_path *p,
                                        void *ctx),
                           void *ctx)
{
	struct rib_path *v = entry_paths(e);
	size_t n = paths_count(e), kept = 0;
	for (size_t i = 0; i < n; i++)
		if (keep(r, e, &v[i], ctx))
			v[kept++] = v[i];
	if (kept < n)
		paths_truncate(e, kept);
	return n - kept;
}

/* Move v[from] to v[to] (to <= from), shifting those between up by one. */
static void paths_raise(struct rib_path *v, size_t from, size_t to)
{
	struct rib_path moved = v[from];
	memmove(v + to + 1, v + to, (from - to) * sizeof(*v));
	v[to] = moved;
}

/* Find the best path, put it first and its ECMP set right after it, the
 * others keeping their order. */
static void entry_decide(struct rib *r, struct rib_entry *e)
{
	struct rib_path *v = entry_paths(e);
	enum decide_reason reason, furthest = DECIDE_NONE;

	if (v == NULL)
		return;
	if (v->last) { /* alone: nothing to compare, most entries */
		e->reason = DECIDE_NONE;
		e->n_multipath = 1;
		v->multipath = true;
		return;
	}
	size_t n = paths_count(e), best = 0;
	for (size_t i = 1; i < n; i++) {
		struct decide_path a = decide_view(r, &v[i]), b = decide_view(r, &v[best]);
		if (decide_compare(&a, &b, &r->decide, &reason) < 0)
			best = i;
	}
	struct decide_path top = decide_view(r, &v[best]);
	for (size_t i = 0; i < n; i++) {
		struct decide_path other = decide_view(r, &v[i]);
		if (i != best && decide_compare(&top, &other, &r->decide, &reason) <= 0 &&
		    reason > furthest)
			furthest = reason;
	}
	e->reason = (uint8_t)furthest;
	paths_raise(v, best, 0);
	uint8_t width = top.ebgp ? r->decide.maximum_paths_ebgp : r->decide.maximum_paths_ibgp;
	e->n_multipath = 1;
	v[0].multipath = true;
	for (size_t i = 1, members = 1; i < n; i++) {
		struct decide_path cand = decide_view(r, &v[i]);
		v[i].multipath =
		        e->n_multipath < width && decide_multipath(&top, &cand, &r->decide);
		if (v[i].multipath) {
			e->n_multipath++;
			paths_raise(v, i, members++);
		}
	}
	paths_mark(v, n);
}

/* Decide e again and tell the layer above if what it selects changed:
 * other paths, or new attributes on a path it selected before (reselected
 * true). */
static void entry_changed(struct rib *r, struct rib_entry *e, const struct selection *before,
                          bool reselected)
{
	struct selection after;
	entry_decide(r, e);
	selection_of(e, &after);
	if ((reselected || !same_selection(before, &after)) && r->changed != NULL)
		r->changed(r->ctx, e);
	rib_settle(r, e);
}

/* What a path holds, given back before it leaves its array. */
static void path_forget(struct rib *r, struct rib_entry *e, struct rib_path *p)
{
	rib_path_source(r, p)->count[e->af]--;
	r->n_paths--;
	attrset_unref(&r->attrs, rib_path_attrs(r, p));
}

static struct rib_path *entry_path_of(struct rib_entry *e, const struct rib_source *src,
                                      uint32_t path_id)
{
	for (struct rib_path *p = entry_paths(e); p != NULL; p = next_path(p))
		if (p->src == src->index && p->path_id == path_id)
			return p;
	return NULL;
}

/* Give src an index if it has none yet; -1 out of memory or of indexes. */
static int source_attach(struct rib *r, struct rib_source *src)
{
	uint32_t index;
	if (src->index != 0)
		return 0;
	if (idpool_take(&r->source_ids, &index) < 0)
		return -1;
	if (index > UINT16_MAX) {
		idpool_give(&r->source_ids, index);
		return -1;
	}
	if (index >= r->cap_sources) {
		size_t cap = r->cap_sources == 0 ? 16 : r->cap_sources * 2;
		struct rib_source **grown = realloc(r->sources, cap * sizeof(*grown));
		if (grown == NULL) {
			idpool_give(&r->source_ids, index);
			return -1;
		}
		memset(grown + r->cap_sources, 0, (cap - r->cap_sources) * sizeof(*grown));
		r->sources = grown;
		r->cap_sources = cap;
	}
	r->sources[index] = src;
	src->index = (uint16_t)index;
	return 0;
}

static struct rib_entry *entry_get(struct rib *r, const struct rib_key *k)
{
	const struct bgp_prefix *p = &k->prefix;
	uint64_t hash = k->hash;
	struct rib_entry *e = entry_find(r, p, hash);
	uint32_t id;
	if (e != NULL)
		return e;
	e = idslab_take(&r->entry_store[p->af], UINT32_MAX / BGP_AF_COUNT, &id);
	if (e == NULL)
		return NULL;
	e->id = id;
	e->af = p->af;
	e->len = p->len;
	e->live = 1;
	rib_addr_copy(e->addr, p->addr, p->af);
	if (pindex_add(&r->entries, p, hash, handle_of(e)) < 0) {
		idslab_give(&r->entry_store[p->af], id);
		return NULL;
	}
	return e;
}

static struct rib_path *path_new(struct rib *r, struct rib_entry *e, struct rib_source *src,
                                 uint32_t path_id)
{
	struct rib_path *p = paths_push(e);
	if (p == NULL)
		return NULL;
	p->src = src->index;
	p->path_id = path_id;
	src->count[e->af]++;
	r->n_paths++;
	return p;
}

int rib_update_set(struct rib *r, struct rib_source *src, const struct rib_key *k,
                   struct attrset *set, uint64_t now)
{
	const struct bgp_prefix *pfx = &k->prefix;
	struct rib_entry *e = entry_get(r, k);
	struct selection before;

	if (e == NULL)
		return -1;
	if (source_attach(r, src) < 0) {
		rib_settle(r, e);
		return -1;
	}
	selection_of(e, &before);
	struct rib_path *p = entry_path_of(e, src, pfx->path_id);
	if (p != NULL && p->attrs == set->id) {
		p->stale = false; /* nothing new, but fresh again */
		return 0;
	}
	bool was_selected = p != NULL && p->multipath;
	if (p == NULL && (p = path_new(r, e, src, pfx->path_id)) == NULL) {
		rib_settle(r, e);
		return -1;
	}
	if (p->attrs != 0)
		attrset_unref(&r->attrs, rib_path_attrs(r, p));
	p->attrs = attrset_ref(set)->id;
	p->received_s = (uint32_t)(now / 1000);
	p->stale = false;
	entry_changed(r, e, &before, was_selected);
	return 0;
}

int rib_update(struct rib *r, struct rib_source *src, const struct bgp_prefix *pfx,
               const struct bgp_attrs *a, uint64_t now)
{
	struct attrset *set = attrset_intern(&r->attrs, a);
	if (set == NULL)
		return -1;
	struct rib_key k = { .prefix = *pfx, .hash = bgp_prefix_hash(pfx) };
	int rc = rib_update_set(r, src, &k, set, now);
	attrset_unref(&r->attrs, set);
	return rc;
}

static bool keep_others(struct rib *r, struct rib_entry *e, struct rib_path *p, void *ctx)
{
	if (p != ctx)
		return true;
	path_forget(r, e, p);
	return false;
}

void rib_withdraw(struct rib *r, struct rib_source *src, const struct bgp_prefix *pfx)
{
	struct rib_entry *e = rib_lookup(r, pfx);
	struct rib_path *p = e != NULL ? entry_path_of(e, src, pfx->path_id) : NULL;
	struct selection before;

	if (p == NULL)
		return;
	selection_of(e, &before);
	paths_filter(r, e, keep_others, p);
	entry_changed(r, e, &before, false);
}

/* Which paths of an entry a walk removes or marks. */
struct path_filter {
	struct rib_source *src;
	int af;          /* -1: every family */
	bool stale_only; /* removing: only the stale ones */
	size_t n;        /* how many were removed or marked */
};

static bool filter_takes(const struct path_filter *f, const struct rib_entry *e)
{
	return f->af < 0 || e->af == f->af;
}

static bool keep_unfiltered(struct rib *r, struct rib_entry *e, struct rib_path *p, void *ctx)
{
	const struct path_filter *f = ctx;
	if (p->src != f->src->index || (f->stale_only && !p->stale))
		return true;
	path_forget(r, e, p);
	return false;
}

static void drop_paths(struct rib *r, struct rib_entry *e, void *ctx)
{
	struct path_filter *f = ctx;
	struct selection before;

	if (!filter_takes(f, e))
		return;
	selection_of(e, &before);
	size_t dropped = paths_filter(r, e, keep_unfiltered, f);
	f->n += dropped;
	if (dropped > 0)
		entry_changed(r, e, &before, false);
}

static void mark_paths(struct rib *r, struct rib_entry *e, void *ctx)
{
	struct path_filter *f = ctx;
	(void)r;
	if (filter_takes(f, e))
		for (struct rib_path *p = entry_paths(e); p != NULL; p = next_path(p))
			if (p->src == f->src->index)
				p->stale = true;
}

static bool source_has(const struct rib_source *src, int af)
{
	if (af >= 0)
		return src->count[af] > 0;
	for (int i = 0; i < BGP_AF_COUNT; i++)
		if (src->count[i] > 0)
			return true;
	return false;
}

void rib_flush(struct rib *r, struct rib_source *src)
{
	struct path_filter f = { .src = src, .af = -1 };
	if (source_has(src, -1))
		rib_walk(r, drop_paths, &f);
}

void rib_source_detach(struct rib *r, struct rib_source *src)
{
	if (src->index == 0)
		return;
	rib_flush(r, src);
	r->sources[src->index] = NULL;
	idpool_give(&r->source_ids, src->index);
	src->index = 0;
}

void rib_mark_stale(struct rib *r, struct rib_source *src, int af)
{
	struct path_filter f = { .src = src, .af = af };
	if (source_has(src, af))
		rib_walk(r, mark_paths, &f);
}

size_t rib_sweep_stale(struct rib *r, struct rib_source *src, int af)
{
	struct path_filter f = { .src = src, .af = af, .stale_only = true };
	if (source_has(src, af))
		rib_walk(r, drop_paths, &f);
	return f.n;
}

static void redecide(struct rib *r, struct rib_entry *e, void *ctx)
{
	struct selection before;
	(void)ctx;
	selection_of(e, &before);
	entry_changed(r, e, &before, false);
}

void rib_redecide(struct rib *r)
{
	rib_walk(r, redecide, NULL);
}

void rib_free(struct rib *r)
{
	size_t pos = 0;
	struct rib_entry *e;
	while ((e = entry_next(r, &pos)) != NULL) {
		for (struct rib_path *p = entry_paths(e); p != NULL; p = next_path(p))
			path_forget(r, e, p);
		paths_truncate(e, 0);
	}
	pindex_free(&r->entries);
	for (int af = 0; af < BGP_AF_COUNT; af++)
		idslab_destroy(&r->entry_store[af]);
	for (size_t i = 0; i < r->cap_sources; i++)
		if (r->sources[i] != NULL)
			r->sources[i]->index = 0; /* free to join another rib */
	free(r->sources);
	idpool_free(&r->source_ids);
	attrset_table_free(&r->attrs);
}
