/*
 * decode: text rendering of OPEN, UPDATE, NOTIFICATION, KEEPALIVE and
 * ROUTE-REFRESH messages.
 */
#include "ctl/decode.h"

#include <stdlib.h>

#include "bgp/msg.h"
#include "bgp/open.h"
#include "bgp/update.h"
#include "lib/sbuf.h"

static const char *const action_names[] = {
	[BGP_ACT_NONE] = "none",
	[BGP_ACT_ATTR_DISCARD] = "attribute-discard",
	[BGP_ACT_WITHDRAW] = "treat-as-withdraw",
	[BGP_ACT_RESET] = "session-reset",
};

static void print_notice(FILE *out, const struct bgp_notice *n)
{
	const char *sub = bgp_err_subcode_name(n->code, n->subcode);
	fprintf(out, "  notification: %s / %s (%u/%u)\n", bgp_err_code_name(n->code),
	        sub != NULL ? sub : "Unknown", n->code, n->subcode);
}

static void print_caps(FILE *out, const struct bgp_caps *c)
{
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (c->mp & BGP_AF_BIT(af))
			fprintf(out, "  capability multiprotocol %s\n", bgp_af_table[af].name);
	for (int code = 2; code < 256; code++) {
		const char *name = bgp_capa_name((uint8_t)code);
		if (name != NULL && bgp_caps_has(c, (uint8_t)code))
			fprintf(out, "  capability %s\n", name);
	}
	if (c->as4)
		fprintf(out, "  as4 %u\n", c->as4_asn);
	if (c->gr.present)
		fprintf(out, "  graceful-restart time %u%s%s\n", c->gr.restart_time,
		        c->gr.flags & BGP_GR_F_RESTART ? " restarting" : "",
		        c->gr.flags & BGP_GR_F_NOTIFICATION ? " notification" : "");
	if (c->has_fqdn)
		fprintf(out, "  fqdn %s%s%s\n", c->fqdn_host, c->fqdn_domain[0] ? "." : "",
		        c->fqdn_domain);
	for (int i = 0; i < c->n_unknown; i++)
		fprintf(out, "  capability unknown code %u length %u\n", c->unknown[i].code,
		        c->unknown[i].len);
}

static int print_open(FILE *out, const struct bgp_msg *m)
{
	struct bgp_open o;
	struct bgp_notice err;

	if (bgp_open_decode(m->body, &o, &err) < 0) {
		fprintf(out, "OPEN malformed\n");
		print_notice(out, &err);
		return 1;
	}
	fprintf(out, "OPEN version %u as %u hold %u id %u.%u.%u.%u\n", o.version, bgp_open_asn(&o),
	        o.hold_time, o.bgp_id >> 24, (o.bgp_id >> 16) & 0xff, (o.bgp_id >> 8) & 0xff,
	        o.bgp_id & 0xff);
	print_caps(out, &o.caps);
	return 0;
}

static int print_update(FILE *out, const struct bgp_msg *m, const struct bgp_session_ctx *ctx)
{
	static struct bgp_scratch scratch;
	struct bgp_update u;
	enum bgp_af eor;
	char text[8192];
	struct sbuf s;

	int rc = bgp_update_decode(ctx, m->body, &scratch, &u);
	if (rc == 0 && bgp_update_is_eor(&u, &eor)) {
		fprintf(out, "UPDATE end-of-rib %s\n", bgp_af_table[eor].name);
		return 0;
	}
	sbuf_init(&s, text, sizeof(text));
	bgp_attrs_format_gobgp(&s, &u.attrs);
	fprintf(out, "UPDATE %s\n", text);
	for (int i = 0; i < u.errors.kept; i++) {
		const struct bgp_attr_error *e = &u.errors.list[i];
		const char *attr = e->code != 0 ? bgp_attr_name(e->code) : NULL;
		fprintf(out, "  error %s: ", action_names[e->action]);
		if (e->code != 0)
			fprintf(out, "%s (%u): ", attr != NULL ? attr : "attribute", e->code);
		fprintf(out, "%s\n", e->reason);
	}
	if (rc < 0) {
		print_notice(out, &u.errors.notice);
		return 1;
	}
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	bgp_route_iter_init(&ri, &u, ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		bgp_prefix_format(text, sizeof(text), &p);
		fprintf(out, "  %s %s\n", reach ? "+" : "-", text);
	}
	return u.errors.total != 0;
}

static int print_notification(FILE *out, const struct bgp_msg *m)
{
	struct bgp_notification n;

	if (bgp_notification_decode(m->body, &n) < 0) {
		fprintf(out, "NOTIFICATION truncated\n");
		return 1;
	}
	const char *sub = bgp_err_subcode_name(n.code, n.subcode);
	fprintf(out, "NOTIFICATION %s / %s (%u/%u)", bgp_err_code_name(n.code),
	        sub != NULL ? sub : "Unknown", n.code, n.subcode);
	if (n.has_shutdown_msg)
		fprintf(out, " \"%s\"", n.shutdown_msg);
	fprintf(out, "\n");
	return 0;
}

static int print_route_refresh(FILE *out, const struct bgp_msg *m)
{
	static const char *const subtypes[] = { "", " begin", " end" };
	struct bgp_route_refresh rr;
	struct bgp_notice err;
	enum bgp_af af;

	switch (bgp_route_refresh_decode(m, &rr, &err)) {
	case BGP_RR_ERROR:
		fprintf(out, "ROUTE-REFRESH malformed\n");
		print_notice(out, &err);
		return 1;
	case BGP_RR_IGNORE:
		fprintf(out, "ROUTE-REFRESH unknown subtype %u, ignored\n", rr.subtype);
		return 0;
	default:
		if (bgp_af_lookup(rr.afi, rr.safi, &af))
			fprintf(out, "ROUTE-REFRESH%s %s\n", subtypes[rr.subtype],
			        bgp_af_table[af].name);
		else
			fprintf(out, "ROUTE-REFRESH%s afi %u safi %u\n", subtypes[rr.subtype],
			        rr.afi, rr.safi);
		return 0;
	}
}

static int print_msg(FILE *out, const struct bgp_msg *m, const struct bgp_session_ctx *ctx)
{
	switch (m->type) {
	case BGP_MSG_OPEN:
		return print_open(out, m);
	case BGP_MSG_UPDATE:
		return print_update(out, m, ctx);
	case BGP_MSG_NOTIFICATION:
		return print_notification(out, m);
	case BGP_MSG_ROUTE_REFRESH:
		return print_route_refresh(out, m);
	default:
		fprintf(out, "KEEPALIVE\n");
		return 0;
	}
}

int ctl_decode_stream(FILE *out, struct rbuf stream, const struct bgp_session_ctx *ctx)
{
	struct bgp_msg m;
	struct bgp_notice err;
	int bad = 0;

	while (!rbuf_empty(&stream)) {
		switch (bgp_frame(stream, BGP_EXT_MAX_LEN, &m, &err)) {
		case BGP_FRAME_ERROR:
			fprintf(out, "framing error\n");
			print_notice(out, &err);
			return 1;
		case BGP_FRAME_NEED_MORE:
			fprintf(out, "truncated message (%zu bytes left)\n", rbuf_left(&stream));
			return 1;
		default:
			bad |= print_msg(out, &m, ctx);
			rbuf_skip(&stream, m.len);
		}
	}
	return bad;
}
