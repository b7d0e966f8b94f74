/*
 * attrset: interning.  A set's identity is its fixed-size fields in a
 * canonical order followed by its variable parts; that byte string is what
 * a set stores, hashed with a per-process random key and compared on
 * lookup.
 */
#include "rib/attrset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bgp/proto.h"
#include "lib/hash.h"

/* The views an attribute set owns, in the order they are stored (AS_PATH
 * first: attrset_as_path finds it there). */
#define VIEWS(a)                                                                                   \
	{                                                                                          \
		&(a)->as_path, &(a)->communities, &(a)->ext_communities, &(a)->large_communities,  \
		        &(a)->cluster_list, &(a)->opaque                                           \
	}
#define N_VIEWS 6

/* The fields few sets have, stored only when not 0. */
#define RARE(a)                                                                                    \
	{                                                                                          \
		&(a)->aggregator_as, &(a)->aggregator_id, &(a)->originator_id, &(a)->otc           \
	}
#define N_RARE 4

static void fixed_of(const struct bgp_attrs *a, struct attrset_fixed *f)
{
	const struct rbuf *views[N_VIEWS] = VIEWS(a);
	const uint32_t *rare[N_RARE] = RARE(a);

	memset(f, 0, sizeof(*f));
	memcpy(f->present, a->present, sizeof(f->present));
	f->present[BGP_ATTR_MP_UNREACH / 32] &= ~(1u << (BGP_ATTR_MP_UNREACH % 32));
	f->next_hop = a->next_hop;
	f->med = a->med;
	f->local_pref = a->local_pref;
	f->origin = a->origin;
	if (bgp_attr_has(a, BGP_ATTR_MP_REACH)) {
		f->mp_af = a->mp_reach.af;
		f->mp_nh_len = a->mp_reach.nh_len;
	}
	for (int i = 0; i < N_RARE; i++)
		if (*rare[i] != 0)
			f->rare |= 1u << i;
	for (int i = 0; i < N_VIEWS; i++)
		f->lens[i] = (uint32_t)views[i]->len;
}

/* The bytes after the fixed fields, in pieces: the next hop, the rare
 * fields, the views.  Returns how many pieces. */
#define MAX_PIECES (1 + N_RARE + N_VIEWS)
static int pieces_of(const struct bgp_attrs *a, const struct attrset_fixed *f,
                     struct rbuf out[MAX_PIECES])
{
	const struct rbuf *views[N_VIEWS] = VIEWS(a);
	const uint32_t *rare[N_RARE] = RARE(a);
	int n = 0;

	if (f->mp_nh_len > 0)
		out[n++] = rbuf_make(a->mp_reach.nh, f->mp_nh_len);
	for (int i = 0; i < N_RARE; i++)
		if (f->rare & (1u << i))
			out[n++] = rbuf_make(rare[i], sizeof(*rare[i]));
	for (int i = 0; i < N_VIEWS; i++)
		if (views[i]->len > 0)
			out[n++] = *views[i];
	return n;
}

static uint32_t hash_of(const struct attrset_table *t, const struct attrset_fixed *f,
                        const struct rbuf *pieces, int n)
{
	uint64_t h = hash_bytes(t->seed, f, sizeof(*f));
	for (int i = 0; i < n; i++)
		h = hash_bytes(h, rbuf_data(&pieces[i]), pieces[i].len);
	return (uint32_t)hash_mix64(h);
}

void attrset_table_init(struct attrset_table *t)
{
	htab_init(&t->sets);
	idpool_init(&t->ids, 1);
	t->by_id = NULL;
	t->cap_by_id = 0;
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = 0xcbf29ce484222325ull;
}

void attrset_table_free(struct attrset_table *t)
{
	size_t pos = 0;
	struct attrset *s;
	while ((s = htab_next(&t->sets, &pos)) != NULL)
		free(s);
	htab_free(&t->sets);
	idpool_free(&t->ids);
	free(t->by_id);
}

/* A set to look for: the fixed fields and the pieces of the bytes. */
struct wanted {
	struct attrset_fixed fixed;
	struct rbuf pieces[MAX_PIECES];
	int n_pieces;
};

static bool same_attrs(const void *elem, const void *key)
{
	const struct attrset *s = elem;
	const struct wanted *w = key;

	if (memcmp(&s->fixed, &w->fixed, sizeof(w->fixed)) != 0)
		return false;
	size_t at = 0;
	for (int i = 0; i < w->n_pieces; i++) {
		size_t n = w->pieces[i].len;
		if (memcmp(s->bytes + at, rbuf_data(&w->pieces[i]), n) != 0)
			return false;
		at += n;
	}
	return true;
}

static bool has_community(const struct bgp_attrs *a, uint32_t community)
{
	struct rbuf r = a->communities;
	uint32_t c;
	if (!bgp_attr_has(a, BGP_ATTR_COMMUNITIES))
		return false;
	while (rbuf_u32(&r, &c) == 0)
		if (c == community)
			return true;
	return false;
}

/* A compact copy of what w describes (a's fields). */
static struct attrset *attrset_new(const struct bgp_attrs *a, const struct wanted *w, uint32_t hash)
{
	size_t len = 0;
	for (int i = 0; i < w->n_pieces; i++)
		len += w->pieces[i].len;
	struct attrset *s = malloc(sizeof(*s) + len);
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->hash = hash;
	s->fixed = w->fixed;
	size_t at = 0;
	for (int i = 0; i < w->n_pieces; i++) {
		memcpy(s->bytes + at, rbuf_data(&w->pieces[i]), w->pieces[i].len);
		at += w->pieces[i].len;
	}
	s->no_export = has_community(a, BGP_COMM_NO_EXPORT);
	s->no_advertise = has_community(a, BGP_COMM_NO_ADVERTISE);
	struct bgp_attrs own;
	attrset_attrs(s, &own);
	decide_attrs_of(&own, &s->decide);
	return s;
}

void attrset_attrs(const struct attrset *s, struct bgp_attrs *a)
{
	const struct attrset_fixed *f = &s->fixed;
	memset(a, 0, sizeof(*a));
	memcpy(a->present, f->present, sizeof(f->present));
	a->next_hop = f->next_hop;
	a->med = f->med;
	a->local_pref = f->local_pref;
	a->origin = f->origin;
	a->mp_reach.af = f->mp_af;
	a->mp_reach.nh_len = f->mp_nh_len;
	memcpy(a->mp_reach.nh, s->bytes, f->mp_nh_len);
	size_t at = f->mp_nh_len;
	uint32_t *rare[N_RARE] = RARE(a);
	for (int i = 0; i < N_RARE; i++)
		if (f->rare & (1u << i)) {
			memcpy(rare[i], s->bytes + at, sizeof(*rare[i]));
			at += sizeof(*rare[i]);
		}
	struct rbuf *own[N_VIEWS] = VIEWS(a);
	for (int i = 0; i < N_VIEWS; i++) {
		size_t n = f->lens[i];
		*own[i] = n > 0 ? rbuf_make(s->bytes + at, n) : rbuf_make(NULL, 0);
		at += n;
	}
}

struct rbuf attrset_as_path(const struct attrset *s)
{
	if (!attrset_has(s, BGP_ATTR_AS_PATH))
		return rbuf_make(NULL, 0);
	size_t rare = (size_t)__builtin_popcount(s->fixed.rare) * sizeof(uint32_t);
	return rbuf_make(s->bytes + s->fixed.mp_nh_len + rare, s->fixed.lens[0]);
}

/* Give s an id and a place in by_id; -1 out of memory. */
static int number(struct attrset_table *t, struct attrset *s)
{
	if (idpool_take(&t->ids, &s->id) < 0)
		return -1;
	if (s->id >= t->cap_by_id) {
		size_t cap = t->cap_by_id == 0 ? 1024 : t->cap_by_id * 2;
		struct attrset **grown = realloc(t->by_id, cap * sizeof(*grown));
		if (grown == NULL) {
			idpool_give(&t->ids, s->id);
			return -1;
		}
		memset(grown + t->cap_by_id, 0, (cap - t->cap_by_id) * sizeof(*grown));
		t->by_id = grown;
		t->cap_by_id = cap;
	}
	t->by_id[s->id] = s;
	return 0;
}

struct attrset *attrset_intern(struct attrset_table *t, const struct bgp_attrs *a)
{
	struct wanted w;
	fixed_of(a, &w.fixed);
	w.n_pieces = pieces_of(a, &w.fixed, w.pieces);
	uint32_t hash = hash_of(t, &w.fixed, w.pieces, w.n_pieces);
	struct attrset *s = htab_find(&t->sets, hash, &w, same_attrs);
	if (s != NULL)
		return attrset_ref(s);
	s = attrset_new(a, &w, hash);
	if (s == NULL || number(t, s) < 0) {
		free(s);
		return NULL;
	}
	if (htab_add(&t->sets, hash, s) < 0) {
		idpool_give(&t->ids, s->id);
		free(s);
		return NULL;
	}
	return attrset_ref(s);
}

struct attrset *attrset_by_id(const struct attrset_table *t, uint32_t id)
{
	return id < t->cap_by_id ? t->by_id[id] : NULL;
}

struct attrset *attrset_ref(struct attrset *s)
{
	s->refs++;
	return s;
}

void attrset_unref(struct attrset_table *t, struct attrset *s)
{
	if (--s->refs > 0)
		return;
	htab_remove(&t->sets, s->hash, s);
	t->by_id[s->id] = NULL;
	idpool_give(&t->ids, s->id);
	free(s);
}
