/*
 * reload: what a new configuration changes for the routes already in and
 * out.  A peer whose import changed is asked for its routes again (route
 * refresh); one whose export changed is sent its table again, or only the
 * routes under the prefixes the changed policies name.
 */
#include "router/routes.h"

#include <string.h>

#include "lib/log.h"
#include "router/router.h"

static bool same_policy(const struct policy *a, const struct policy *b)
{
	return a->digest == b->digest && strcmp(a->name, b->name) == 0;
}

/* Where two chains differ: they agree on their first *head policies and
 * on their last *tail, head and tail not overlapping in either. */
static void chain_diff(const struct policy *const *a, size_t na, const struct policy *const *b,
                       size_t nb, size_t *head, size_t *tail)
{
	size_t h = 0, t = 0, shorter = na < nb ? na : nb;
	while (h < shorter && same_policy(a[h], b[h]))
		h++;
	while (t < shorter - h && same_policy(a[na - 1 - t], b[nb - 1 - t]))
		t++;
	*head = h;
	*tail = t;
}

static bool same_chain(const struct policy *const *a, size_t na, const struct policy *const *b,
                       size_t nb)
{
	size_t head, tail;
	chain_diff(a, na, b, nb, &head, &tail);
	return na == nb && head == na;
}

/* Every statement of these policies has prefix conditions: none of them
 * can match a route those do not cover. */
static bool prefixed(const struct policy *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i]->n_statements; k++)
			if (v[i]->statements[k].match.n_prefixes == 0)
				return false;
	return true;
}

/* The peer looks again at the routes pp may hold for: one lookup for an
 * exact prefix, a walk for a range of lengths. */
static void mark_covered(struct router *r, struct router_peer *rp, const struct policy_prefix *pp)
{
	struct bgp_prefix base = policy_prefix_base(pp);
	struct rib_entry *e;
	size_t pos = 0;

	if (!(rp->peer->neg.ctx.afs & BGP_AF_BIT(base.af)))
		return;
	if (pp->max_len <= base.len) {
		if ((e = rib_lookup(&r->rib, &base)) != NULL)
			adjout_mark(&rp->out, e);
		return;
	}
	while ((e = rib_next(&r->rib, &pos)) != NULL) {
		struct bgp_prefix p = rib_entry_prefix(e);
		if (policy_prefix_covers(pp, &p))
			adjout_mark(&rp->out, e);
	}
}

static void mark_prefixes(struct router *r, struct router_peer *rp, const struct policy *const *v,
                          size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i]->n_statements; k++)
			for (size_t j = 0; j < v[i]->statements[k].match.n_prefixes; j++)
				mark_covered(r, rp, &v[i]->statements[k].match.prefixes[j]);
}

/*
 * The export chain changed from was's to g's: outside the prefixes that
 * the policies between their common head and tail (old and new versions)
 * name, both run the same statements in the same order, so only the
 * routes under those prefixes are looked at again, now.  Not when one of
 * those statements names no prefix (it may match any route), nor when
 * either chain is empty (then RFC 8212, or no policy at all, decides for
 * every route): false, the whole table must be.
 */
static bool reexport_changed(struct router *r, struct router_peer *rp,
                             const struct router_group *was, const struct router_group *g)
{
	size_t head, tail;
	chain_diff(was->export_policies, was->n_export_policies, g->export_policies,
	           g->n_export_policies, &head, &tail);
	size_t n_gone = was->n_export_policies - head - tail;
	size_t n_came = g->n_export_policies - head - tail;
	if (n_gone == 0 && n_came == 0)
		return true;
	if (was->n_export_policies == 0 || g->n_export_policies == 0)
		return false;
	const struct policy *const *gone = was->export_policies + head;
	const struct policy *const *came = g->export_policies + head;
	if (!prefixed(gone, n_gone) || !prefixed(came, n_came))
		return false;
	if (bgp_peer_established(rp->peer)) {
		mark_prefixes(r, rp, gone, n_gone);
		mark_prefixes(r, rp, came, n_came);
	}
	return true;
}

void routes_peer_regroup(struct router *r, struct router_peer *rp, const struct router_group *g,
                         const struct router_config *next)
{
	const struct router_group *was = rp->group;
	bool rule = r->cfg.ebgp_requires_policy != next->ebgp_requires_policy ||
	            r->cfg.export_requires_policy != next->export_requires_policy;
	if (rule || was->allowas_in != g->allowas_in ||
	    !same_chain(was->import_policies, was->n_import_policies, g->import_policies,
	                g->n_import_policies))
		rp->reimport = true;
	if (rule || routes_shares_updates(was) != routes_shares_updates(g) ||
	    !reexport_changed(r, rp, was, g))
		rp->reexport = true;
	rp->group = g;
}

static void reimport(struct bgp_peer *p)
{
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if ((p->neg.ctx.afs & BGP_AF_BIT(af)) && bgp_peer_refresh(p, (enum bgp_af)af) < 0) {
			routes_peer_note(
			        p, LOG_WARN,
			        "the peer cannot refresh: its routes follow the import policy "
			        "as they next arrive");
			return;
		}
	routes_peer_note(p, LOG_INFO, "asked the peer for its routes again");
}

void routes_clear_soft(struct router *r, struct bgp_peer *p, bool in)
{
	struct router_peer *rp = p->rib;
	if (in) {
		reimport(p);
		return;
	}
	routes_export_forget(r, rp);
	routes_mark_table(r, rp, p->neg.ctx.afs);
	routes_flush(r);
}

void routes_reloaded(struct router *r, bool redecide)
{
	if (redecide)
		rib_redecide(&r->rib);
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		struct router_peer *rp = p->rib;
		if (bgp_peer_established(p) && rp->reimport) {
			routes_peer_note(p, LOG_INFO, "import policy changed");
			reimport(p);
		}
		if (bgp_peer_established(p) && rp->reexport) {
			routes_export_forget(r, rp);
			routes_mark_table(r, rp, p->neg.ctx.afs);
		}
		rp->reimport = rp->reexport = false;
	}
	routes_flush(r);
}
