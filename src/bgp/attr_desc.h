/*
 * attr_desc: the attribute table's row type and the parse state its
 * decoders share.  Internal to src/bgp/attr*.c.
 */
#ifndef KBGP_BGP_ATTR_DESC_H
#define KBGP_BGP_ATTR_DESC_H

#include "bgp/attr.h"
#include "bgp/msg.h"

/* State of one attribute-list decode. */
struct attr_parse {
	const struct bgp_session_ctx *ctx;
	struct bgp_scratch *scratch;
	struct bgp_attrs *a;
	struct bgp_errors *errs;
	uint8_t flags; /* of the attribute being decoded */
	uint8_t code;
	struct rbuf whole; /* the attribute, header included */
	const char *reason;
	/* AS4_PATH and AS4_AGGREGATOR wait here for the RFC 6793 merge. */
	bool has_as4_path;
	struct rbuf as4_path;
	bool has_as4_aggregator;
	uint32_t as4_aggregator_as;
	uint32_t as4_aggregator_id;
};

struct attr_desc {
	const char *name;  /* RFC name, "AS_PATH" */
	uint8_t flags;     /* expected Optional and Transitive bits */
	uint8_t malformed; /* RFC 7606 class when the value is malformed */
	/* Returns BGP_ACT_NONE when the value was kept, or what the error
	 * costs (with p->reason set). */
	enum bgp_action (*decode)(struct attr_parse *p, struct rbuf v);
	void (*encode)(struct wbuf *w, const struct bgp_attrs *a,
	               const struct bgp_session_ctx *ctx);
	/* GoBGP-style "{Name: value}" */
	void (*format)(struct sbuf *s, const struct bgp_attrs *a);
};

extern const struct attr_desc attr_table[256];

/* Record a malformed value: sets the reason, returns the row's class. */
enum bgp_action attr_malformed(struct attr_parse *p, const char *reason);
/* Record an error that resets the session, with its NOTIFICATION. */
enum bgp_action attr_reset(struct attr_parse *p, uint8_t subcode, const char *reason);

/* Attribute header helpers for encoders: the length is patched by
 * attr_end(), which switches to a two-octet length when needed. */
size_t attr_begin(struct wbuf *w, uint8_t flags, uint8_t code);
void attr_end(struct wbuf *w, size_t at);

void attr_format_origin(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_as_path(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_next_hop(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_med(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_local_pref(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_atomic_aggregate(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_aggregator(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_communities(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_originator_id(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_cluster_list(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_mp_reach(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_mp_unreach(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_ext_communities(struct sbuf *s, const struct bgp_attrs *a);
void attr_format_large_communities(struct sbuf *s, const struct bgp_attrs *a);
/* Unrecognised attributes, each after a space unless first. */
void attr_format_opaque(struct sbuf *s, struct rbuf opaque, bool first);
void attr_format_otc(struct sbuf *s, const struct bgp_attrs *a);

#endif
