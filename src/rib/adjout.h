/*
 * adjout: the Adj-RIB-Out of one peer: what it has been sent (the
 * attribute set of each RIB entry it has advertised, indexed by entry id),
 * the entries whose advertisement must be looked at again, and the packing
 * of the differences into UPDATEs (withdrawals first, then announcements
 * grouped by attribute set, so prefixes sharing attributes share messages).
 */
#ifndef KBGP_RIB_ADJOUT_H
#define KBGP_RIB_ADJOUT_H

#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/nlri.h"
#include "lib/idblocks.h"
#include "rib/rib.h"

struct adjout {
	/* sent[af] by entry id: the id of the attribute set the entry of that
	 * family and id was last sent with (uint32_t), 0 for nothing; a block
	 * is made when the first of its entries goes out.  4 bytes per prefix
	 * sent. */
	struct idblocks sent[BGP_AF_COUNT];
	/* Entries to look at again, each held in the RIB until then. */
	struct rib_entry **pending;
	size_t n_pending, cap_pending;
	size_t done_pending;        /* pending[0..done_pending) already looked at */
	size_t count[BGP_AF_COUNT]; /* prefixes advertised per family */
};

/* How the layer above decides and sends. */
struct adjout_ops {
	/* The attributes to advertise e with (one reference for the caller
	 * to keep), or NULL to advertise nothing. */
	struct attrset *(*export)(void *ctx, const struct rib_entry *e);
	int (*send)(void *ctx, const uint8_t *msg, size_t len);
};

void adjout_init(struct adjout *o);
/* Forget everything sent and queued (the session ended). */
void adjout_free(struct adjout *o, struct rib *r);
/* Forget what was sent of one family (the peer asked for it again). */
void adjout_forget(struct adjout *o, struct rib *r, enum bgp_af af);
/* e must be looked at again at the next flush. */
int adjout_mark(struct adjout *o, struct rib_entry *e);
/* Compare what export says with what was sent, for up to `budget` marked
 * entries, and send the difference: 1 when marked entries remain (call
 * again: long work goes in slices so the loop stays responsive), 0 when
 * done, -1 if sending failed. */
int adjout_flush(struct adjout *o, struct rib *r, const struct bgp_session_ctx *ctx, size_t max_len,
                 size_t budget, const struct adjout_ops *ops, void *cb);
static inline bool adjout_busy(const struct adjout *o)
{
	return o->done_pending < o->n_pending;
}
/* The attributes e was last sent with, or NULL. */
const struct attrset *adjout_sent(const struct adjout *o, const struct rib *r,
                                  const struct rib_entry *e);

#endif
