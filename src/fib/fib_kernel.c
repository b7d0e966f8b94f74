/*
 * fib_kernel: the FIB and the kernel's own life: what a previous run left,
 * what happens at stop, links and addresses that come and go, nexthop
 * objects the kernel removes, and the resynchronisation all of these end
 * in (re-resolve every next hop, compare with a dump, write the
 * difference).
 */
#include "fib/fib_impl.h"

#include <errno.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fib/resolve.h"
#include "lib/log.h"

#define ID_BASE          0x6b620000u /* "kb": away from small ids others pick */
#define RESYNC_LINK_MS   100
#define RESOLVE_EVERY_MS 30000
/* A resync dumps the kernel's routes and walks the whole table, blocking
 * the loop for about a second at a million routes.  While a backlog is
 * being written (a full table going in) it would hold up the routes still
 * queued, and the writes would redo most of its work anyway, so it waits
 * for the queue to drain, but not forever. */
#define RESYNC_POSTPONE_MS 500
#define RESYNC_WAIT_MAX_MS 15000

/* --- ids other owners use --- */

static int add_id(struct fib_ids *s, uint32_t id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 64 : s->cap * 2;
		uint32_t *grown = realloc(s->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

static int id_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static bool has_id(const struct fib_ids *s, uint32_t id)
{
	return s->n > 0 && bsearch(&id, s->v, s->n, sizeof(uint32_t), id_order) != NULL;
}

bool fib_id_taken(const struct fib *f, uint32_t id)
{
	return has_id(&f->taken, id);
}

/* --- multipath hashing (per network namespace) --- */

static int hash_policy(int family_v6, int value)
{
	char path[80];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/fib_multipath_hash_policy",
	         family_v6 ? 6 : 4);
	if (value >= 0) {
		FILE *w = fopen(path, "w");
		if (w == NULL || fprintf(w, "%d\n", value) < 0 || fclose(w) != 0)
			log_emit(LOG_WARN, "fib", NULL, "cannot set %s to %d: %s", path + 10, value,
			         strerror(errno));
		else
			w = NULL;
		if (w != NULL)
			fclose(w);
	}
	FILE *r = fopen(path, "r");
	int now = -1;
	if (r != NULL) {
		if (fscanf(r, "%d", &now) != 1)
			now = -1;
		fclose(r);
	}
	static const char *const names[] = { "L3", "L4", "L3 or inner L3", "custom" };
	if (now >= 0 && now <= 3)
		log_emit(LOG_INFO, "fib", NULL, "IPv%d ECMP hash policy %d (%s)", family_v6 ? 6 : 4,
		         now, names[now]);
	return now;
}

/* --- what a previous run left --- */

static int found_nexthop(const struct nlmsghdr *nlh, void *ctx)
{
	struct fib *f = ctx;
	struct knexthop k;
	if (kmsg_parse_nexthop(nlh, &k) < 0)
		return 0;
	add_id(&f->taken, k.id);
	if (k.protocol != f->cfg.protocol)
		return 0;
	uint32_t *grown = realloc(f->stale_ids, (f->n_stale_ids + 1) * sizeof(*grown));
	if (grown != NULL) {
		f->stale_ids = grown;
		f->stale_ids[f->n_stale_ids++] = k.id;
	}
	return 0;
}

/* The route of ours nlh is about, in our table (made if create), or NULL
 * when the message is not about a route of ours. */
static struct fib_route *our_route(struct fib *f, const struct nlmsghdr *nlh, bool create)
{
	struct kroute k;
	if (kmsg_parse_route(nlh, &k) < 0 || k.protocol != f->cfg.protocol ||
	    k.table != f->cfg.table || k.metric != f->cfg.metric)
		return NULL;
	uint8_t af = k.family == AF_INET6 ? BGP_AF_IPV6_UNICAST : BGP_AF_IPV4_UNICAST;
	return fib_route_get(f, af, k.dst_len, k.dst, create);
}

static int found_route(const struct nlmsghdr *nlh, void *ctx)
{
	struct fib_route *r = our_route(ctx, nlh, true);
	if (r != NULL)
		r->stale = true;
	return 0;
}

static int dump(struct fib *f, uint16_t type, uint8_t family, nl_msg_fn fn, void *ctx)
{
	char buf[KMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = NLMSG_LENGTH(0);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (type == RTM_GETNEXTHOP) {
		struct nhmsg *nhm = NLMSG_DATA(nlh);
		nhm->nh_family = family;
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*nhm));
	} else {
		struct rtmsg *rtm = NLMSG_DATA(nlh);
		rtm->rtm_family = family;
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	}
	return nl_query(&f->query, nlh, fn, ctx);
}

static int read_leftovers(struct fib *f)
{
	f->taken.n = 0;
	int err = dump(f, RTM_GETNEXTHOP, AF_UNSPEC, found_nexthop, f);
	if (err == EOPNOTSUPP || err == EINVAL || err == ENOENT) {
		if (f->objects)
			log_emit(LOG_WARN, "fib", NULL,
			         "this kernel has no nexthop objects: ECMP routes carry their "
			         "next hops (RTA_MULTIPATH)");
		f->objects = false;
	} else if (err != 0) {
		return -1;
	}
	if (f->taken.n > 0)
		qsort(f->taken.v, f->taken.n, sizeof(uint32_t), id_order);
	if (dump(f, RTM_GETROUTE, AF_UNSPEC, found_route, f) != 0)
		return -1;
	size_t stale = f->routes.count;
	if (stale > 0 || f->n_stale_ids > 0)
		log_emit(LOG_INFO, "fib", NULL,
		         "%zu routes and %zu nexthops of a previous run in the kernel: they stay "
		         "until the routing table has converged",
		         stale, f->n_stale_ids);
	return 0;
}

/* --- watching the kernel --- */

static int on_write_reply(const struct nlmsghdr *nlh, void *ctx)
{
	fib_on_reply(ctx, nlh);
	return 0;
}

static void on_write_socket(struct loop_io *io, unsigned events)
{
	struct fib *f = container_of(io, struct fib, wr_io);
	(void)events;
	if (nl_receive(&f->wr, on_write_reply, f) < 0 && errno == ENOBUFS) {
		log_emit(LOG_WARN, "fib", NULL,
		         "netlink replies were lost: resynchronising with the kernel");
		fib_schedule_resync(f, 0);
	}
}

static int on_notice(const struct nlmsghdr *nlh, void *ctx)
{
	struct fib *f = ctx;
	struct knexthop k;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWADDR:
	case RTM_DELADDR:
		fib_schedule_resync(f, RESYNC_LINK_MS);
		break;
	case RTM_DELNEXTHOP:
		/* The kernel drops nexthops on a link that goes down, and the
		 * routes that use them. */
		if (kmsg_parse_nexthop(nlh, &k) == 0 && k.protocol == f->cfg.protocol)
			fib_schedule_resync(f, RESYNC_LINK_MS);
		break;
	}
	return 0;
}

static void on_monitor_socket(struct loop_io *io, unsigned events)
{
	struct fib *f = container_of(io, struct fib, mon_io);
	(void)events;
	if (nl_receive(&f->mon, on_notice, f) < 0 && errno == ENOBUFS)
		fib_schedule_resync(f, 0);
}

void fib_schedule_resync(struct fib *f, uint32_t delay_ms)
{
	uint64_t at = loop_now(f->loop) + delay_ms;
	loop_timer_at(f->loop, &f->resync_timer, at);
}

/* --- resynchronisation --- */

static void mark_group_changes(struct fib *f)
{
	size_t pos = 0;
	struct fib_group *g;
	while ((g = htab_next(&f->groups, &pos)) != NULL)
		for (size_t i = 0; i < g->n; i++)
			if (g->hops[i]->changed || !g->hops[i]->in_kernel)
				g->changed = true;
}

/* Resolve every next hop again; true if any moved. */
static bool resolve_all(struct fib *f)
{
	bool moved = false;
	size_t pos = 0;
	struct fib_hop *h;
	while ((h = htab_next(&f->hops, &pos)) != NULL) {
		struct kpath p = { 0 };
		bool ok = fib_resolve(&f->query, f->cfg.protocol, &h->key, &p) == 0;
		if (ok == h->resolved && (!ok || memcmp(&p, &h->path, sizeof(p)) == 0))
			continue;
		h->resolved = ok;
		h->path = p;
		h->changed = true;
		moved = true;
	}
	return moved;
}

struct present {
	struct fib *f;
	struct fib_ids ids;
};

static int present_nexthop(const struct nlmsghdr *nlh, void *ctx)
{
	struct present *p = ctx;
	struct knexthop k;
	if (kmsg_parse_nexthop(nlh, &k) == 0 && k.protocol == p->f->cfg.protocol)
		add_id(&p->ids, k.id);
	return 0;
}

static bool id_present(const struct present *p, uint32_t id)
{
	return has_id(&p->ids, id);
}

/* Objects the kernel removed (a link went down) are made again. */
static void forget_lost_objects(struct fib *f)
{
	struct present p = { .f = f };
	if (dump(f, RTM_GETNEXTHOP, AF_UNSPEC, present_nexthop, &p) != 0) {
		free(p.ids.v);
		return;
	}
	if (p.ids.n > 0)
		qsort(p.ids.v, p.ids.n, sizeof(uint32_t), id_order);
	size_t pos = 0;
	struct fib_hop *h;
	while ((h = htab_next(&f->hops, &pos)) != NULL)
		if (h->in_kernel && !id_present(&p, h->id))
			h->in_kernel = false;
	struct fib_group *g;
	pos = 0;
	while ((g = htab_next(&f->groups, &pos)) != NULL)
		if (g->in_kernel && !id_present(&p, g->id))
			g->in_kernel = false;
	free(p.ids.v);
}

/* Routes present in the kernel, by the prefix's slot in our table. */
static int present_route(const struct nlmsghdr *nlh, void *ctx)
{
	struct fib_route *r = our_route(ctx, nlh, false);
	if (r != NULL)
		r->seen = true;
	return 0;
}

/* Objects whose members moved are written again; the groups whose routes
 * must be written again are marked. */
static void refresh_groups(struct fib *f)
{
	size_t pos = 0;
	struct fib_group *g;
	while ((g = htab_next(&f->groups, &pos)) != NULL) {
		g->requeue = false;
		if (!g->changed)
			continue;
		/* With objects, a route follows its group by id; without, it
		 * carries the next hops and is written again. */
		g->requeue = !f->objects;
		if (fib_group_refresh(f, g) == 0)
			g->requeue = true; /* nowhere to go: the routes go */
	}
}

static bool needs_write(const struct fib *f, const struct fib_route *r)
{
	if (r->want == NULL)
		return r->have != NULL || (r->stale && f->converged);
	return r->have == NULL || r->want->requeue;
}

static void resync(struct fib *f)
{
	bool moved = resolve_all(f);
	if (f->objects)
		forget_lost_objects(f);
	mark_group_changes(f);
	refresh_groups(f);
	size_t pos = 0;
	struct fib_route *r;
	while ((r = htab_next(&f->routes, &pos)) != NULL)
		r->seen = false;
	bool dumped = dump(f, RTM_GETROUTE, AF_UNSPEC, present_route, f) == 0;
	pos = 0;
	while ((r = htab_next(&f->routes, &pos)) != NULL) {
		if (dumped && r->have != NULL && !r->seen) {
			fib_group_unref(f, r->have);
			r->have = NULL;
			f->stats.installed--;
		}
		r->queued = false; /* the queue is rebuilt from the table */
	}
	f->n_queue = f->done_queue = 0;
	pos = 0;
	while ((r = htab_next(&f->routes, &pos)) != NULL)
		if (!r->failed && needs_write(f, r))
			fib_queue(f, r);
	if (moved || f->n_queue > 0)
		log_emit(LOG_INFO, "fib", NULL,
		         "resynchronised with the kernel: %zu routes to write", f->n_queue);
	fib_write(f);
	loop_timer_at(f->loop, &f->resync_timer, loop_now(f->loop) + RESOLVE_EVERY_MS);
}

static void on_resync(struct loop_timer *t)
{
	struct fib *f = container_of(t, struct fib, resync_timer);
	uint64_t now = loop_now(f->loop);
	if (f->resync_due == 0)
		f->resync_due = now;
	if (fib_backlog(f) > 0 && now - f->resync_due < RESYNC_WAIT_MAX_MS) {
		loop_timer_at(f->loop, t, now + RESYNC_POSTPONE_MS);
		return;
	}
	f->resync_due = 0;
	resync(f);
}

/* --- start and stop --- */

int fib_kernel_open(struct fib *f)
{
	static const unsigned groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		                           RTNLGRP_NEXTHOP, 0 };
	f->objects = f->cfg.nexthop_objects;
	f->next_id = ID_BASE;
	loop_timer_init(&f->resync_timer, on_resync);
	if (nl_open(&f->wr, NULL) < 0 || nl_open(&f->query, NULL) < 0 ||
	    nl_open(&f->mon, groups) < 0) {
		log_emit(LOG_ERROR, "fib", NULL, "cannot open netlink: %s", strerror(errno));
		return -1;
	}
	if (nl_writer_start(&f->wr) < 0)
		log_emit(LOG_WARN, "fib", NULL, "no writer thread: writing from the loop");
	f->hash_policy[0] = hash_policy(0, f->cfg.hash_policy4);
	f->hash_policy[1] = hash_policy(1, f->cfg.hash_policy6);
	if (read_leftovers(f) < 0) {
		log_emit(LOG_ERROR, "fib", NULL, "cannot read the kernel's routes: %s",
		         strerror(errno));
		return -1;
	}
	loop_io_init(&f->wr_io, f->wr.fd, on_write_socket);
	loop_io_set(f->loop, &f->wr_io, LOOP_READ);
	loop_io_init(&f->mon_io, f->mon.fd, on_monitor_socket);
	loop_io_set(f->loop, &f->mon_io, LOOP_READ);
	loop_timer_at(f->loop, &f->resync_timer, loop_now(f->loop) + RESOLVE_EVERY_MS);
	return 0;
}

void fib_converged(struct fib *f)
{
	if (f->converged)
		return;
	f->converged = true;
	size_t pos = 0, gone = 0;
	struct fib_route *r;
	while ((r = htab_next(&f->routes, &pos)) != NULL)
		if (r->stale && r->want == NULL) {
			fib_queue(f, r);
			gone++;
		}
	/* The previous run's nexthop objects go once the queue is written
	 * (fib_purge_stale): the routes still on them are replaced or removed
	 * by then.  Never all at once here: a full table would stall the
	 * loop for seconds. */
	f->purge_stale = true;
	if (gone > 0 || f->n_stale_ids > 0)
		log_emit(LOG_INFO, "fib", NULL,
		         "converged: %zu routes and %zu nexthops of the previous run to remove",
		         gone, f->n_stale_ids);
	loop_idle_set(f->loop, &f->work, true);
}

void fib_purge_stale(struct fib *f)
{
	for (size_t i = 0; i < f->n_stale_ids; i++) {
		struct knexthop k = { .id = f->stale_ids[i], .protocol = f->cfg.protocol };
		kmsg_nexthop(nl_put(&f->wr), RTM_DELNEXTHOP, 0, &k);
		nl_commit(&f->wr);
	}
	f->n_stale_ids = 0;
	f->purge_stale = false;
}

void fib_kernel_close(struct fib *f, bool keep)
{
	loop_timer_at(f->loop, &f->resync_timer, 0);
	if (f->wr.mnl != NULL) {
		loop_io_set(f->loop, &f->wr_io, 0);
		loop_io_set(f->loop, &f->mon_io, 0);
	}
	if (!keep && f->wr.mnl != NULL) {
		size_t pos = 0;
		struct fib_route *r;
		while ((r = htab_next(&f->routes, &pos)) != NULL)
			if (!f->objects && (r->have != NULL || r->stale)) {
				struct kroute k = { .family = r->af == BGP_AF_IPV6_UNICAST
					                              ? AF_INET6
					                              : AF_INET,
					            .dst_len = r->len,
					            .protocol = f->cfg.protocol,
					            .table = f->cfg.table,
					            .metric = f->cfg.metric };
				memcpy(k.dst, r->addr, sizeof(k.dst));
				kmsg_route(nl_put(&f->wr), RTM_DELROUTE, 0, &k);
				nl_commit(&f->wr);
			}
		/* Deleting a nexthop object deletes the routes that use it:
		 * groups first, then their members. */
		struct fib_group *g;
		pos = 0;
		while ((g = htab_next(&f->groups, &pos)) != NULL)
			if (g->in_kernel && g->n > 1) {
				struct knexthop k = { .id = g->id, .protocol = f->cfg.protocol };
				kmsg_nexthop(nl_put(&f->wr), RTM_DELNEXTHOP, 0, &k);
				nl_commit(&f->wr);
			}
		struct fib_hop *h;
		pos = 0;
		while ((h = htab_next(&f->hops, &pos)) != NULL)
			if (h->in_kernel) {
				struct knexthop k = { .id = h->id, .protocol = f->cfg.protocol };
				kmsg_nexthop(nl_put(&f->wr), RTM_DELNEXTHOP, 0, &k);
				nl_commit(&f->wr);
			}
		for (size_t i = 0; i < f->n_stale_ids; i++) {
			struct knexthop k = { .id = f->stale_ids[i], .protocol = f->cfg.protocol };
			kmsg_nexthop(nl_put(&f->wr), RTM_DELNEXTHOP, 0, &k);
			nl_commit(&f->wr);
		}
		nl_send(&f->wr);
	}
	nl_close(&f->wr);
	nl_close(&f->query);
	nl_close(&f->mon);
	free(f->taken.v);
	f->taken = (struct fib_ids){ 0 };
}
