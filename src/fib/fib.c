/*
 * fib: routes, their next-hop sets and the kernel objects behind them, and
 * the batched writes that keep the kernel in step.
 */
#include "fib/fib_impl.h"

#include <errno.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fib/resolve.h"
#include "lib/log.h"

/* Routes written per loop turn: a full table goes in slices, so sessions
 * keep being served while the kernel takes it. */
#define WORK_BUDGET     20000
#define RETRY_FIRST_MS  1000
#define RETRY_MAX_MS    60000
#define FAILURES_LOGGED 5

static size_t prefix_bytes(uint8_t af)
{
	return af == BGP_AF_IPV6_UNICAST ? 16 : 4;
}

static uint8_t family_of(uint8_t af)
{
	return af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET;
}

/* --- routes --- */

struct route_key {
	uint8_t af, len;
	const uint8_t *addr;
};

static bool route_is(const void *elem, const void *key)
{
	const struct fib_route *r = elem;
	const struct route_key *k = key;
	return r->af == k->af && r->len == k->len &&
	       memcmp(r->addr, k->addr, prefix_bytes(r->af)) == 0;
}

static uint64_t route_hash(const struct fib_route *r)
{
	return bgp_prefix_hash_parts(r->af, r->len, r->addr);
}

struct fib_route *fib_route_get(struct fib *f, uint8_t af, uint8_t len, const uint8_t *addr,
                                bool create)
{
	struct route_key k = { af, len, addr };
	uint8_t masked[16] = { 0 };
	memcpy(masked, addr, (len + 7u) / 8u);
	if (len % 8 != 0)
		masked[len / 8] &= (uint8_t)(0xff << (8 - len % 8));
	k.addr = masked;
	uint64_t hash = bgp_prefix_hash_parts(af, len, masked);
	struct fib_route *r = htab_find(&f->routes, hash, &k, route_is);
	if (r != NULL || !create)
		return r;
	r = slab_alloc(&f->route_slab);
	if (r == NULL)
		return NULL;
	r->af = af;
	r->len = len;
	memcpy(r->addr, masked, sizeof(masked));
	if (htab_add(&f->routes, hash, r) < 0) {
		slab_free(&f->route_slab, r);
		return NULL;
	}
	return r;
}

void fib_route_settle(struct fib *f, struct fib_route *r)
{
	if (r->want != NULL || r->have != NULL || r->stale || r->queued || r->failed)
		return;
	htab_remove(&f->routes, route_hash(r), r);
	slab_free(&f->route_slab, r);
}

/* --- hops and groups --- */

static uint64_t hop_hash(const struct fib_nexthop *nh)
{
	return bgp_prefix_hash_parts(nh->af, 128, nh->addr);
}

static bool hop_is(const void *elem, const void *key)
{
	const struct fib_hop *h = elem;
	const struct fib_nexthop *k = key;
	return h->key.af == k->af && memcmp(h->key.addr, k->addr, sizeof(k->addr)) == 0;
}

static struct fib_hop *hop_get(struct fib *f, const struct fib_nexthop *nh)
{
	uint64_t hash = hop_hash(nh);
	struct fib_hop *h = htab_find(&f->hops, hash, nh, hop_is);
	if (h != NULL)
		return h;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->key = *nh;
	h->resolved = fib_resolve(&f->query, f->cfg.protocol, nh, &h->path) == 0;
	if (htab_add(&f->hops, hash, h) < 0) {
		free(h);
		return NULL;
	}
	f->stats.hops++;
	return h;
}

static void put_nexthop_delete(struct fib *f, uint32_t id)
{
	struct knexthop k = { .id = id, .protocol = f->cfg.protocol };
	kmsg_nexthop(nl_put(&f->wr), RTM_DELNEXTHOP, 0, &k);
	nl_commit(&f->wr);
}

static void hop_unref(struct fib *f, struct fib_hop *h)
{
	if (--h->refs > 0)
		return;
	if (h->in_kernel)
		put_nexthop_delete(f, h->id);
	htab_remove(&f->hops, hop_hash(&h->key), h);
	f->stats.hops--;
	free(h);
}

static uint64_t group_hash_of(struct fib_hop *const *hops, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uintptr_t)hops[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

struct group_key {
	struct fib_hop *const *hops;
	size_t n;
};

static bool group_is(const void *elem, const void *key)
{
	const struct fib_group *g = elem;
	const struct group_key *k = key;
	return g->n == k->n && memcmp(g->hops, k->hops, k->n * sizeof(k->hops[0])) == 0;
}

static int hop_order(const void *a, const void *b)
{
	const struct fib_hop *x = *(struct fib_hop *const *)a, *y = *(struct fib_hop *const *)b;
	if (x->key.af != y->key.af)
		return x->key.af < y->key.af ? -1 : 1;
	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

/* The group of these next hops, with one more reference. */
static struct fib_group *group_get(struct fib *f, const struct fib_nexthop *nh, size_t n)
{
	struct fib_hop *hops[FIB_MAX_PATHS];
	size_t k = 0;

	for (size_t i = 0; i < n && k < FIB_MAX_PATHS; i++) {
		struct fib_hop *h = hop_get(f, &nh[i]);
		if (h == NULL)
			return NULL;
		hops[k++] = h;
	}
	qsort(hops, k, sizeof(hops[0]), hop_order);
	size_t distinct = 0;
	for (size_t i = 0; i < k; i++)
		if (distinct == 0 || hops[distinct - 1] != hops[i])
			hops[distinct++] = hops[i];
	struct group_key key = { hops, distinct };
	uint64_t hash = group_hash_of(hops, distinct);
	struct fib_group *g = htab_find(&f->groups, hash, &key, group_is);
	if (g == NULL) {
		g = calloc(1, sizeof(*g));
		if (g == NULL || htab_add(&f->groups, hash, g) < 0) {
			free(g);
			return NULL;
		}
		g->hash = hash;
		g->n = distinct;
		memcpy(g->hops, hops, distinct * sizeof(hops[0]));
		for (size_t i = 0; i < distinct; i++)
			hops[i]->refs++;
		f->stats.groups++;
	}
	g->refs++;
	return g;
}

void fib_group_unref(struct fib *f, struct fib_group *g)
{
	if (--g->refs > 0)
		return;
	if (g->in_kernel)
		put_nexthop_delete(f, g->id);
	for (size_t i = 0; i < g->n; i++)
		hop_unref(f, g->hops[i]);
	htab_remove(&f->groups, g->hash, g);
	f->stats.groups--;
	free(g);
}

size_t fib_group_live(const struct fib_group *g, struct fib_hop **live)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->hops[i]->resolved)
			live[n++] = g->hops[i];
	return n;
}

static uint32_t new_id(struct fib *f)
{
	do
		f->next_id = f->next_id >= 0x7fffffff ? 1 : f->next_id + 1;
	while (fib_id_taken(f, f->next_id));
	return f->next_id;
}

static void hop_ensure(struct fib *f, struct fib_hop *h)
{
	if (h->in_kernel && !h->changed)
		return;
	if (h->id == 0)
		h->id = new_id(f);
	struct knexthop k = {
		.id = h->id, .family = h->path.family, .protocol = f->cfg.protocol, .path = h->path
	};
	uint16_t flags = NLM_F_CREATE | (h->in_kernel ? NLM_F_REPLACE : NLM_F_EXCL);
	kmsg_nexthop(nl_put(&f->wr), RTM_NEWNEXTHOP, flags, &k);
	nl_commit(&f->wr);
	h->in_kernel = true;
	h->changed = false;
}

/* Make the kernel objects of g exist; the resolved members in live. */
static size_t group_ensure(struct fib *f, struct fib_group *g, struct fib_hop **live)
{
	size_t n = fib_group_live(g, live);
	if (!f->objects || n == 0)
		return n;
	for (size_t i = 0; i < n; i++)
		hop_ensure(f, live[i]);
	if (g->n == 1 || (g->in_kernel && !g->changed))
		return n;
	if (g->id == 0)
		g->id = new_id(f);
	struct knexthop k = { .id = g->id, .protocol = f->cfg.protocol, .n_group = n };
	for (size_t i = 0; i < n; i++)
		k.group[i] = live[i]->id;
	uint16_t flags = NLM_F_CREATE | (g->in_kernel ? NLM_F_REPLACE : NLM_F_EXCL);
	kmsg_nexthop(nl_put(&f->wr), RTM_NEWNEXTHOP, flags, &k);
	nl_commit(&f->wr);
	g->in_kernel = true;
	g->changed = false;
	return n;
}

size_t fib_group_refresh(struct fib *f, struct fib_group *g)
{
	struct fib_hop *live[FIB_MAX_PATHS];
	size_t n = group_ensure(f, g, live);
	g->changed = false;
	for (size_t i = 0; i < g->n; i++)
		g->hops[i]->changed = false;
	return n;
}

/* --- routes to the kernel --- */

static void route_message(const struct fib *f, const struct fib_route *r, struct kroute *k)
{
	memset(k, 0, sizeof(*k));
	k->family = family_of(r->af);
	k->dst_len = r->len;
	memcpy(k->dst, r->addr, prefix_bytes(r->af));
	k->protocol = f->cfg.protocol;
	k->type = RTN_UNICAST;
	k->scope = RT_SCOPE_UNIVERSE;
	k->table = f->cfg.table;
	k->metric = f->cfg.metric;
}

static void install(struct fib *f, struct fib_route *r, struct fib_hop **live, size_t n)
{
	struct kroute k;
	route_message(f, r, &k);
	if (f->objects) {
		k.nhid = r->want->n > 1 ? r->want->id : live[0]->id;
	} else {
		k.n_paths = n;
		for (size_t i = 0; i < n; i++)
			k.paths[i] = live[i]->path;
	}
	kmsg_route(nl_put(&f->wr), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &k);
	nl_commit(&f->wr);
	if (r->have != r->want) {
		r->want->refs++;
		if (r->have != NULL)
			fib_group_unref(f, r->have);
		else
			f->stats.installed++;
		r->have = r->want;
	}
}

static void uninstall(struct fib *f, struct fib_route *r)
{
	struct kroute k;
	route_message(f, r, &k);
	kmsg_route(nl_put(&f->wr), RTM_DELROUTE, 0, &k);
	nl_commit(&f->wr);
	if (r->have != NULL) {
		fib_group_unref(f, r->have);
		r->have = NULL;
		f->stats.installed--;
	}
}

static void sync_route(struct fib *f, struct fib_route *r)
{
	struct fib_hop *live[FIB_MAX_PATHS];
	size_t n = r->want != NULL ? group_ensure(f, r->want, live) : 0;

	r->queued = false;
	if (n > 0 && (r->have != r->want || r->stale || !f->objects))
		install(f, r, live, n);
	else if (n == 0 && (r->have != NULL || r->stale))
		uninstall(f, r);
	r->stale = false;
	fib_route_settle(f, r);
}

void fib_queue(struct fib *f, struct fib_route *r)
{
	if (r->queued)
		return;
	if (f->n_queue == f->cap_queue) {
		size_t cap = f->cap_queue == 0 ? 1024 : f->cap_queue * 2;
		struct fib_route **grown = realloc(f->queue, cap * sizeof(*grown));
		if (grown == NULL)
			return; /* the next resync finds it */
		f->queue = grown;
		f->cap_queue = cap;
	}
	r->queued = true;
	f->queue[f->n_queue++] = r;
	loop_idle_set(f->loop, &f->work, true);
}

int fib_set(struct fib *f, const struct bgp_prefix *p, const struct fib_nexthop *nh, size_t n)
{
	struct fib_route *r = fib_route_get(f, p->af, p->len, p->addr, n > 0);
	if (r == NULL)
		return n > 0 ? -1 : 0;
	struct fib_group *g = n > 0 ? group_get(f, nh, n) : NULL;
	if (n > 0 && g == NULL)
		return -1;
	if (g == r->want) {
		if (g != NULL)
			fib_group_unref(f, g);
		return 0;
	}
	if (r->want == NULL)
		f->stats.routes++;
	if (g == NULL)
		f->stats.routes--;
	if (r->want != NULL)
		fib_group_unref(f, r->want);
	r->want = g;
	fib_queue(f, r);
	return 0;
}

int fib_write(struct fib *f)
{
	if (nl_send(&f->wr) < 0) {
		log_emit(LOG_ERROR, "fib", NULL, "netlink write failed: %s; resynchronising",
		         strerror(errno));
		fib_schedule_resync(f, 1000);
		return -1;
	}
	return 0;
}

/* The kernel's FIB trie takes a full table in random order in about 60% of
 * the time it takes it sorted (sorted inserts keep resizing the same
 * nodes), and tables arrive sorted from most peers: a large backlog is
 * written shuffled (a fixed xorshift sequence, so runs are alike). */
static void shuffle_pending(struct fib *f)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = f->n_queue - 1; i > f->done_queue; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = f->done_queue + (size_t)(x % (i - f->done_queue + 1));
		struct fib_route *t = f->queue[i];
		f->queue[i] = f->queue[j];
		f->queue[j] = t;
	}
}

void fib_work(struct fib *f)
{
	if (f->done_queue == 0 && f->n_queue > WORK_BUDGET)
		shuffle_pending(f);
	size_t end = fib_backlog(f) > WORK_BUDGET ? f->done_queue + WORK_BUDGET : f->n_queue;
	for (size_t i = f->done_queue; i < end; i++)
		sync_route(f, f->queue[i]);
	f->done_queue = end;
	if (end == f->n_queue)
		f->n_queue = f->done_queue = 0;
	if (f->n_queue == 0 && f->purge_stale)
		fib_purge_stale(f);
	fib_write(f);
	loop_idle_set(f->loop, &f->work, f->n_queue > 0);
}

/* --- what the kernel refused --- */

static void retry_later(struct fib *f, struct fib_route *r)
{
	if (r->failed)
		return;
	if (f->n_retry == f->cap_retry) {
		size_t cap = f->cap_retry == 0 ? 64 : f->cap_retry * 2;
		struct fib_route **grown = realloc(f->retry, cap * sizeof(*grown));
		if (grown == NULL)
			return;
		f->retry = grown;
		f->cap_retry = cap;
	}
	r->failed = true;
	f->retry[f->n_retry++] = r;
	f->stats.failed++;
	if (f->n_retry == 1)
		loop_timer_at(f->loop, &f->retry_timer, loop_now(f->loop) + f->retry_delay_ms);
}

/* The kernel does not have object id (a write of it was lost or refused):
 * the next write that needs it makes it again. */
static void forget_object(struct fib *f, uint32_t id, bool id_taken)
{
	size_t pos = 0;
	struct fib_hop *h;
	while ((h = htab_next(&f->hops, &pos)) != NULL)
		if (h->id == id) {
			h->in_kernel = false;
			h->id = id_taken ? 0 : h->id;
		}
	struct fib_group *g;
	pos = 0;
	while ((g = htab_next(&f->groups, &pos)) != NULL)
		if (g->id == id) {
			g->in_kernel = false;
			g->id = id_taken ? 0 : g->id;
		}
}

static void route_refused(struct fib *f, const struct nlmsghdr *req, const struct kerror *e)
{
	struct kroute k;
	char text[64];
	if (kmsg_parse_route(req, &k) < 0)
		return;
	uint8_t af = k.family == AF_INET6 ? BGP_AF_IPV6_UNICAST : BGP_AF_IPV4_UNICAST;
	struct fib_route *r = fib_route_get(f, af, k.dst_len, k.dst, false);
	if (req->nlmsg_type == RTM_DELROUTE || r == NULL)
		return; /* gone already, or not ours to worry about */
	if (k.nhid != 0)
		forget_object(f, k.nhid, false); /* perhaps what it was refused for */
	if (r->have != NULL) {
		fib_group_unref(f, r->have);
		r->have = NULL;
		f->stats.installed--;
	}
	retry_later(f, r);
	if (f->failures_logged++ >= FAILURES_LOGGED)
		return;
	struct bgp_prefix p = { .af = af, .len = k.dst_len };
	memcpy(p.addr, k.dst, sizeof(k.dst));
	bgp_prefix_format(text, sizeof(text), &p);
	log_emit(LOG_WARN, "fib", NULL, "%s: the kernel refused the route: %s%s%s; retrying", text,
	         strerror(e->error), e->text[0] ? ": " : "", e->text);
}

static void object_refused(struct fib *f, const struct nlmsghdr *req, const struct kerror *e)
{
	struct knexthop k;
	if (kmsg_parse_nexthop(req, &k) < 0)
		return;
	if (req->nlmsg_type == RTM_DELNEXTHOP) {
		if (e->error != ENOENT && f->failures_logged++ < FAILURES_LOGGED)
			log_emit(LOG_WARN, "fib", NULL, "the kernel kept nexthop %u: %s%s%s", k.id,
			         strerror(e->error), e->text[0] ? ": " : "", e->text);
		return;
	}
	/* Someone else's object holds the id: take another next time. */
	forget_object(f, k.id, e->error == EEXIST);
	if (f->failures_logged++ < FAILURES_LOGGED)
		log_emit(LOG_WARN, "fib", NULL, "the kernel refused nexthop %u: %s%s%s", k.id,
		         strerror(e->error), e->text[0] ? ": " : "", e->text);
}

void fib_on_reply(struct fib *f, const struct nlmsghdr *nlh)
{
	struct kerror e;
	if (kmsg_parse_error(nlh, &e) < 0 || e.error == 0 || e.request == NULL)
		return;
	switch (e.request->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		route_refused(f, e.request, &e);
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		object_refused(f, e.request, &e);
		break;
	}
}

static void on_retry(struct loop_timer *t)
{
	struct fib *f = container_of(t, struct fib, retry_timer);
	size_t n = f->n_retry;
	if (f->failures_logged > FAILURES_LOGGED)
		log_emit(LOG_WARN, "fib", NULL, "%zu routes refused by the kernel in all, retrying",
		         n);
	f->failures_logged = 0;
	for (size_t i = 0; i < n; i++) {
		struct fib_route *r = f->retry[i];
		r->failed = false;
		fib_queue(f, r);
	}
	f->stats.failed = 0;
	f->n_retry = 0;
	f->retry_delay_ms =
	        f->retry_delay_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : f->retry_delay_ms * 2;
}

static void on_work(struct loop_idle *i)
{
	fib_work(container_of(i, struct fib, work));
}

/* --- the whole --- */

int fib_open(struct fib *f, struct loop *l, const struct fib_cfg *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->loop = l;
	f->retry_delay_ms = RETRY_FIRST_MS;
	htab_init(&f->routes);
	htab_init(&f->groups);
	htab_init(&f->hops);
	slab_init(&f->route_slab, sizeof(struct fib_route));
	loop_idle_init(&f->work, on_work);
	loop_timer_init(&f->retry_timer, on_retry);
	return fib_kernel_open(f);
}

void fib_close(struct fib *f, bool keep)
{
	loop_idle_set(f->loop, &f->work, false);
	loop_timer_at(f->loop, &f->retry_timer, 0);
	fib_kernel_close(f, keep);
	size_t pos = 0;
	struct fib_group *g;
	while ((g = htab_next(&f->groups, &pos)) != NULL)
		free(g);
	struct fib_hop *h;
	pos = 0;
	while ((h = htab_next(&f->hops, &pos)) != NULL)
		free(h);
	htab_free(&f->groups);
	htab_free(&f->hops);
	htab_free(&f->routes);
	slab_destroy(&f->route_slab);
	free(f->queue);
	free(f->retry);
	free(f->stale_ids);
}
