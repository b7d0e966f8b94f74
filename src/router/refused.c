/*
 * refused: the set of refused prefixes of a peer (refused.h).
 */
#include <stdlib.h>

#include "router/refused.h"

struct refused_prefix {
	struct bgp_prefix p;
};

static bool same_prefix(const void *elem, const void *key)
{
	return bgp_prefix_cmp(&((const struct refused_prefix *)elem)->p, key) == 0;
}

void refused_init(struct refused_set *s)
{
	htab_init(&s->prefixes);
	for (int af = 0; af < BGP_AF_COUNT; af++)
		s->count[af] = 0;
}

void refused_note(struct refused_set *s, const struct bgp_prefix *p, bool refused)
{
	uint64_t hash = bgp_prefix_hash(p);
	struct refused_prefix *have = htab_find(&s->prefixes, hash, p, same_prefix);
	if (refused && have == NULL) {
		have = malloc(sizeof(*have));
		if (have == NULL)
			return;
		have->p = *p;
		if (htab_add(&s->prefixes, hash, have) < 0) {
			free(have);
			return;
		}
		s->count[p->af]++;
	} else if (!refused && have != NULL) {
		htab_remove(&s->prefixes, hash, have);
		free(have);
		s->count[p->af]--;
	}
}

void refused_clear(struct refused_set *s)
{
	size_t pos = 0;
	struct refused_prefix *e;
	while ((e = htab_next(&s->prefixes, &pos)) != NULL)
		free(e);
	htab_free(&s->prefixes);
	refused_init(s);
}
