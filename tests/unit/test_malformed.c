/*
 * test_malformed: hostile and broken messages against every decoder, one
 * table row each, with the outcome the RFCs require.  The rows follow the
 * adversarial list of the reliability research (B2.3): what broke other
 * BGP speakers (FRR, BIRD, GoBGP, OpenBGPD, JUNOSe) must be neither a crash
 * nor a needless session reset here.
 *
 * A row names the decoder, the session it runs in, the input and what must
 * come out: the return value, the NOTIFICATION (code, subcode, data) when
 * one is due, and for UPDATEs the RFC 7606 action, which attributes survive
 * and how the routes walk.  Fields left zero are not checked.  Every failing
 * row is printed by name; the test then fails naming the first.
 *
 * Rows marked DECODER DISAGREES assert the RFC outcome the decoder does not
 * produce yet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/aspath.h"
#include "bgp/msg.h"
#include "bgp/nlri.h"
#include "bgp/open.h"
#include "bgp/update.h"
#include "lib/sbuf.h"
#include "testlib.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum decoder {
	D_FRAME,
	D_OPEN,
	D_UPDATE,
	D_NOTIFICATION,
	D_ROUTE_REFRESH,
};

enum eor_expect {
	EOR_ANY, /* not checked */
	EOR_NO,
	EOR_V4,
	EOR_V6,
};

struct outcome {
	int rc;
	struct bgp_notice notice; /* sent, or received for D_NOTIFICATION */
	struct bgp_msg msg;
	struct bgp_session_ctx ctx;
	struct bgp_update update;
	struct bgp_open open;
	struct bgp_notification notification;
	struct bgp_route_refresh rr;
};

struct row {
	const char *name;
	enum decoder dec;
	const struct bgp_session_ctx *ctx; /* D_UPDATE */
	size_t max_len;                    /* framing limit; 0 means 4096 */
	/*
	 * Input.  hex is the whole message for D_FRAME and for UPDATEs whose
	 * lengths are the point; the body for D_OPEN, D_NOTIFICATION and
	 * D_ROUTE_REFRESH (which is framed before decoding).  Other UPDATEs
	 * give their three fields and tl_update() computes the lengths.
	 * build() makes inputs too large to write out.
	 */
	const char *hex;
	const char *withdrawn, *attrs, *nlri;
	size_t (*build)(uint8_t *out, size_t cap);

	int rc;              /* not for D_UPDATE: implied by act */
	enum bgp_action act; /* D_UPDATE */
	uint8_t code, sub;   /* NOTIFICATION due (or received) */
	const char *data;    /* its data in hex */
	bool data_is_msg;    /* its data is the whole message */
	const char *routes;  /* route walk: "+10.0.0.0/24 -2001:db8::/64" */
	uint8_t has[4];      /* attributes that must be kept */
	uint8_t lacks[4];    /* attributes that must be gone */
	const char *opaque;  /* unrecognised attributes passed on */
	const char *as_path; /* in 4-octet form, after widening and merging */
	enum eor_expect eor;
	const char *shutdown; /* D_NOTIFICATION: sanitised text, NULL for none */
	const char *(*extra)(const struct outcome *o);
};

/* Sessions: 4-octet AS and both unicast families unless named otherwise. */
#define AFS_BOTH (BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST))
static const struct bgp_session_ctx ebgp = { .as4 = true, .ebgp = true, .afs = AFS_BOTH };
static const struct bgp_session_ctx ibgp = { .as4 = true, .ebgp = false, .afs = AFS_BOTH };
static const struct bgp_session_ctx ebgp_as2 = { .as4 = false, .ebgp = true, .afs = AFS_BOTH };
static const struct bgp_session_ctx ebgp_v4_only = {
	.as4 = true,
	.ebgp = true,
	.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST),
};
static const struct bgp_session_ctx ebgp_addpath_v4 = {
	.as4 = true,
	.ebgp = true,
	.afs = AFS_BOTH,
	.addpath_rx = BGP_AF_BIT(BGP_AF_IPV4_UNICAST),
};
static const struct bgp_session_ctx ebgp_addpath_v6 = {
	.as4 = true,
	.ebgp = true,
	.afs = AFS_BOTH,
	.addpath_rx = BGP_AF_BIT(BGP_AF_IPV6_UNICAST),
};
static const struct bgp_session_ctx ebgp_extnh_v4 = {
	.as4 = true,
	.ebgp = true,
	.afs = AFS_BOTH,
	.ext_nexthop = BGP_AF_BIT(BGP_AF_IPV4_UNICAST),
};

/* Message pieces. */
#define MARKER         "ffffffff ffffffff ffffffff ffffffff "
#define ORIGIN_IGP     "40 01 01 00 "
#define AS_PATH_65001  "40 02 06 02 01 0000fde9 "
#define AS_PATH2_65001 "40 02 04 02 01 fde9 "
#define NEXT_HOP       "40 03 04 c0000201 "
#define MANDATORY      ORIGIN_IGP AS_PATH_65001 NEXT_HOP
#define MANDATORY2     ORIGIN_IGP AS_PATH2_65001 NEXT_HOP
#define NLRI_V4        "18 0a0000 "            /* 10.0.0.0/24 */
#define NLRI_V6        "40 20010db8 00000000 " /* 2001:db8::/64 */
#define V6_NH          "20010db8 00000000 00000000 00000001 "
#define MP_REACH_V6    "80 0e 1e 0002 01 10 " V6_NH "00 " NLRI_V6
#define MP_UNREACH_V6  "80 0f 0c 0002 01 " NLRI_V6
#define OPEN_HEAD      "04 fde9 00b4 c0000201 " /* version 4, AS 65001, hold 180 */
#define CAP_AS4        "41 04 0000fde9 "

/* A 2-octet session: AS_PATH 65001 23456 with AS4_PATH 4200000000 behind
 * AS_TRANS (RFC 6793 §4.2.3). */
#define AS_PATH2_TRANS "40 02 06 02 02 fde9 5ba0 "
#define AS4_PATH_4200M "c0 11 06 02 01 fa56ea00 "
#define PATH_WIDENED   "0202 0000fde9 00005ba0"
#define PATH_MERGED    "0201 0000fde9 0201 fa56ea00"

/* MP_REACH_NLRI with next hops of the wrong length for IPv6. */
#define MP_REACH_NH3     "80 0e 11 0002 01 03 aabbcc 00 " NLRI_V6
#define MP_REACH_NH0     "80 0e 0e 0002 01 00 00 " NLRI_V6
#define MP_REACH_NH17    "80 0e 1f 0002 01 11 " V6_NH "01 00 " NLRI_V6
#define MP_REACH_NH33    "80 0e 2f 0002 01 21 " V6_NH V6_NH "01 00 " NLRI_V6
#define MP_REACH_V4_V6NH "80 0e 19 0001 01 10 " V6_NH "00 " NLRI_V4
#define MP_REACH_LEN129  "80 0e 27 0002 01 10 " V6_NH "00 81 20010db8 00000000 00000000 00000000 00"

/* 255 octets of "a" for RFC 9003's longest shutdown communication. */
#define HEX_A16  "61616161616161616161616161616161 "
#define HEX_A64  HEX_A16 HEX_A16 HEX_A16 HEX_A16
#define HEX_A255 HEX_A64 HEX_A64 HEX_A64 HEX_A16 HEX_A16 HEX_A16 "616161616161616161616161616161"
#define TXT_A16  "aaaaaaaaaaaaaaaa"
#define TXT_A64  TXT_A16 TXT_A16 TXT_A16 TXT_A16
#define TXT_A255 TXT_A64 TXT_A64 TXT_A64 TXT_A16 TXT_A16 TXT_A16 "aaaaaaaaaaaaaaa"

#define LONG_PATH_SEGS 9
#define LONG_PATH_ASNS (LONG_PATH_SEGS * 255)

/*
 * An UPDATE whose AS_PATH holds 2,295 four-octet ASNs in nine full
 * AS_SEQUENCE segments: 9,198 octets of attribute, so the message (9,240
 * octets) exists only with RFC 8654 extended messages.  BIRD overflowed a
 * 2,049-slot array on such paths (CVE-2026-49943).
 */
static size_t build_long_path(uint8_t *out, size_t cap)
{
	uint8_t fixed[16];
	struct wbuf w;

	wbuf_init(&w, out, cap);
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_u16(&w, 0);
	size_t alen_at = wbuf_reserve(&w, 2);
	wbuf_bytes(&w, fixed, tl_hex(ORIGIN_IGP, fixed, sizeof(fixed)));
	wbuf_u8(&w, BGP_ATTR_F_TRANSITIVE | BGP_ATTR_F_EXTLEN);
	wbuf_u8(&w, BGP_ATTR_AS_PATH);
	wbuf_u16(&w, LONG_PATH_SEGS * (2 + 255 * 4));
	for (uint32_t seg = 0; seg < LONG_PATH_SEGS; seg++) {
		wbuf_u8(&w, BGP_AS_SEQUENCE);
		wbuf_u8(&w, 255);
		for (uint32_t i = 0; i < 255; i++)
			wbuf_u32(&w, 4200000000u + seg * 255 + i);
	}
	wbuf_bytes(&w, fixed, tl_hex(NEXT_HOP, fixed, sizeof(fixed)));
	wbuf_patch_u16(&w, alen_at, (uint16_t)(w.len - alen_at - 2));
	wbuf_bytes(&w, fixed, tl_hex(NLRI_V4, fixed, sizeof(fixed)));
	bgp_msg_end(&w, start);
	assert_true(wbuf_ok(&w));
	return w.len;
}

static const char *long_path_decoded(const struct outcome *o)
{
	if (aspath_length(o->update.attrs.as_path) != LONG_PATH_ASNS)
		return "AS_PATH length is not 2295";
	return NULL;
}

static const char *first_origin_kept(const struct outcome *o)
{
	return o->update.attrs.origin == BGP_ORIGIN_IGP ? NULL : "ORIGIN is not the first copy";
}

static const char *aggregator_as_trans(const struct outcome *o)
{
	return o->update.attrs.aggregator_as == BGP_AS_TRANS ? NULL
	                                                     : "AGGREGATOR AS is not AS_TRANS";
}

static const char *open_as4_65001(const struct outcome *o)
{
	const struct bgp_caps *c = &o->open.caps;
	return c->as4 && c->as4_asn == 65001 ? NULL : "4-octet AS 65001 not decoded";
}

static const char *open_no_caps(const struct outcome *o)
{
	const struct bgp_caps *c = &o->open.caps;
	return !c->as4 && c->n_unknown == 0 ? NULL : "capabilities found in an empty field";
}

static const char *open_unknown_kept(const struct outcome *o)
{
	const struct bgp_caps *c = &o->open.caps;
	static const uint8_t value[] = { 0xab, 0xcd };

	if (c->n_unknown != 2 || c->unknown[0].code != 200 || c->unknown[1].code != 128)
		return "unknown capabilities 200 and 128 not kept";
	if (c->unknown[0].len != 2 || memcmp(c->unknown[0].data, value, 2) != 0)
		return "unknown capability 200 kept with the wrong value";
	return NULL;
}

static const char *open_addpath_ignored(const struct outcome *o)
{
	const struct bgp_caps *c = &o->open.caps;

	if (!bgp_caps_has(c, BGP_CAPA_ADD_PATH))
		return "ADD-PATH capability not seen";
	if (c->addpath[BGP_AF_IPV4_UNICAST] != 0 || c->addpath[BGP_AF_IPV6_UNICAST] != 0)
		return "ADD-PATH direction 0 or 4 taken";
	return NULL;
}

static const char *open_gr_4095(const struct outcome *o)
{
	const struct bgp_caps *c = &o->open.caps;

	if (!c->gr.present || c->gr.restart_time != 4095 || c->gr.flags != BGP_GR_F_RESTART)
		return "restart time 4095 with R bit not decoded";
	if (c->gr.afs != BGP_AF_BIT(BGP_AF_IPV4_UNICAST) ||
	    c->gr.forwarding != BGP_AF_BIT(BGP_AF_IPV4_UNICAST))
		return "IPv4 unicast with F bit not decoded";
	return NULL;
}

static const struct row rows[] = {
	/*
	 * Framing: RFC 4271 §6.1 (Connection Not Synchronized; Bad Message
	 * Length carrying the length; Bad Message Type carrying the type),
	 * RFC 8654 §4 (OPEN and KEEPALIVE stay within 4096).
	 */
	{ .name = "frame: marker not all ones",
	  .dec = D_FRAME,
	  .hex = "ffffffff ffffffff ffffffff fffffffe 0013 04",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_SYNC },
	{ .name = "frame: length 18",
	  .dec = D_FRAME,
	  .hex = MARKER "0012 04",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "0012" },
	{ .name = "frame: length 0",
	  .dec = D_FRAME,
	  .hex = MARKER "0000 04",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "0000" },
	{ .name = "frame: UPDATE of 4097 without extended messages",
	  .dec = D_FRAME,
	  .hex = MARKER "1001 02",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "1001" },
	{ .name = "frame: UPDATE of 65535 without extended messages",
	  .dec = D_FRAME,
	  .hex = MARKER "ffff 02",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "ffff" },
	{ .name = "frame: UPDATE of 4097 with extended messages waits for its body",
	  .dec = D_FRAME,
	  .max_len = BGP_EXT_MAX_LEN,
	  .hex = MARKER "1001 02",
	  .rc = BGP_FRAME_NEED_MORE },
	{ .name = "frame: 2,295-ASN UPDATE without extended messages",
	  .dec = D_FRAME,
	  .build = build_long_path,
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "2418" },
	{ .name = "frame: KEEPALIVE", .dec = D_FRAME, .hex = MARKER "0013 04", .rc = BGP_FRAME_OK },
	{ .name = "frame: KEEPALIVE with a body",
	  .dec = D_FRAME,
	  .hex = MARKER "0014 04 00",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "0014" },
	{ .name = "frame: KEEPALIVE of 4097 with extended messages",
	  .dec = D_FRAME,
	  .max_len = BGP_EXT_MAX_LEN,
	  .hex = MARKER "1001 04",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "1001" },
	{ .name = "frame: OPEN of 4097 with extended messages",
	  .dec = D_FRAME,
	  .max_len = BGP_EXT_MAX_LEN,
	  .hex = MARKER "1001 01",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "1001" },
	{ .name = "frame: OPEN of 28",
	  .dec = D_FRAME,
	  .hex = MARKER "001c 01",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "001c" },
	{ .name = "frame: UPDATE of 22",
	  .dec = D_FRAME,
	  .hex = MARKER "0016 02",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "0016" },
	{ .name = "frame: NOTIFICATION of 20",
	  .dec = D_FRAME,
	  .hex = MARKER "0014 03 06",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_LEN,
	  .data = "0014" },
	{ .name = "frame: unknown type 6",
	  .dec = D_FRAME,
	  .hex = MARKER "0013 06",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_TYPE,
	  .data = "06" },
	{ .name = "frame: type 0",
	  .dec = D_FRAME,
	  .hex = MARKER "0013 00",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_TYPE,
	  .data = "00" },
	{ .name = "frame: type 255",
	  .dec = D_FRAME,
	  .hex = MARKER "0013 ff",
	  .rc = BGP_FRAME_ERROR,
	  .code = BGP_ERR_HEADER,
	  .sub = BGP_ERR_HDR_TYPE,
	  .data = "ff" },
	{ .name = "frame: 18 octets of header wait for more",
	  .dec = D_FRAME,
	  .hex = MARKER "00",
	  .rc = BGP_FRAME_NEED_MORE },

	/*
	 * OPEN optional parameters, classic and RFC 9072 form.  Lengths that
	 * do not add up are a recognised parameter that is malformed: OPEN
	 * Message Error / Unspecific (RFC 4271 §6.2).  FRR trusted these
	 * lengths (CVE-2022-40302, -40318, -43681).
	 */
	{ .name = "open: classic optional parameters",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "08 02 06" CAP_AS4,
	  .rc = 0,
	  .extra = open_as4_65001 },
	{ .name = "open: RFC 9072 extended optional parameters",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0009 02 0006" CAP_AS4,
	  .rc = 0,
	  .extra = open_as4_65001 },
	{ .name = "open: RFC 9072 length overflows the message",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 000a 02 0006" CAP_AS4,
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 length short of the message",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0008 02 0006" CAP_AS4,
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 length zero with parameters after it",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0000 02 0006" CAP_AS4,
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 length zero and nothing after it",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0000",
	  .rc = 0,
	  .extra = open_no_caps },
	{ .name = "open: RFC 9072 parameter length overruns the field",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0005 02 0004 4104",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 parameter length cut short",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 0002 02 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 marker and nothing else",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: RFC 9072 one octet of extended length",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff ff 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: ends after an option length of 255",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "ff",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: ends after an option length of 8",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "08",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: option length shorter than the parameters",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "04 02 06" CAP_AS4,
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: parameter length runs past the option length",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "04 02 06 4104",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: body cut inside the BGP Identifier",
	  .dec = D_OPEN,
	  .hex = "04 fde9 00b4 c000",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },

	/* RFC 4271 §6.2: hold time 1 or 2, version (data: the largest
	 * version we support below the peer's, else our smallest), BGP
	 * Identifier, unknown optional parameter. */
	{ .name = "open: hold time 1",
	  .dec = D_OPEN,
	  .hex = "04 fde9 0001 c0000201 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_HOLD },
	{ .name = "open: hold time 2",
	  .dec = D_OPEN,
	  .hex = "04 fde9 0002 c0000201 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_HOLD },
	{ .name = "open: hold time 0", .dec = D_OPEN, .hex = "04 fde9 0000 c0000201 00", .rc = 0 },
	{ .name = "open: hold time 3", .dec = D_OPEN, .hex = "04 fde9 0003 c0000201 00", .rc = 0 },
	{ .name = "open: version 3",
	  .dec = D_OPEN,
	  .hex = "03 fde9 00b4 c0000201 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_VERSION,
	  .data = "0004" },
	{ .name = "open: version 5",
	  .dec = D_OPEN,
	  .hex = "05 fde9 00b4 c0000201 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_VERSION,
	  .data = "0004" },
	{ .name = "open: BGP Identifier 0",
	  .dec = D_OPEN,
	  .hex = "04 fde9 00b4 00000000 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_BGP_ID },
	{ .name = "open: unknown optional parameter type 1",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "04 01 02 0000",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_OPT_PARAM },

	/* Capabilities (RFC 5492): unknown ones are ignored, known malformed
	 * ones are a malformed parameter (Unspecific). */
	{ .name = "open: capability length runs past its parameter",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "06 02 04 41 04 0000",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: multiprotocol capability of length 0",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "04 02 02 01 00",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: 4-octet AS capability of length 2",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "06 02 04 41 02 fde9",
	  .rc = -1,
	  .code = BGP_ERR_OPEN,
	  .sub = BGP_ERR_OPEN_UNSPEC },
	{ .name = "open: unknown capabilities kept",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "08 02 06 c8 02 abcd 80 00",
	  .rc = 0,
	  .extra = open_unknown_kept },
	/* RFC 7911 §4: a Send/Receive value other than 1..3 is ignored. */
	{ .name = "open: ADD-PATH send/receive 0 and 4 ignored",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "0c 02 0a 45 08 0001 01 00 0002 01 04",
	  .rc = 0,
	  .extra = open_addpath_ignored },
	/* RFC 4724 §3: the restart time is 12 bits, 4095 its largest value. */
	{ .name = "open: graceful restart time 4095",
	  .dec = D_OPEN,
	  .hex = OPEN_HEAD "0a 02 08 40 06 8fff 0001 01 80",
	  .rc = 0,
	  .extra = open_gr_4095 },

	/*
	 * NOTIFICATION is never answered (RFC 4271 §6.4).  RFC 9003 §3: a
	 * shutdown communication whose length does not fit, or that is not
	 * UTF-8, is reported, never trusted; 255 octets is the longest.
	 */
	{ .name = "notification: Cease/2 shutdown length past the data",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02 10 6869",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN },
	{ .name = "notification: Cease/2 invalid UTF-8",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02 03 61ff62",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN,
	  .shutdown = "a?b" },
	{ .name = "notification: Cease/2 overlong UTF-8",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02 02 c0af",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN,
	  .shutdown = "??" },
	{ .name = "notification: Cease/2 control character",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02 02 411b",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN,
	  .shutdown = "A?" },
	{ .name = "notification: Cease/2 of 255 octets",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02 ff" HEX_A255,
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN,
	  .shutdown = TXT_A255 },
	{ .name = "notification: Cease/4 shutdown communication",
	  .dec = D_NOTIFICATION,
	  .hex = "06 04 02 6f6b",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_RESET,
	  .shutdown = "ok" },
	{ .name = "notification: Cease/2 without data",
	  .dec = D_NOTIFICATION,
	  .hex = "06 02",
	  .rc = 0,
	  .code = BGP_ERR_CEASE,
	  .sub = BGP_CEASE_ADMIN_SHUTDOWN },
	{ .name = "notification: UPDATE error data passed through",
	  .dec = D_NOTIFICATION,
	  .hex = "03 01 aabb",
	  .rc = 0,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_ATTR_LIST,
	  .data = "aabb" },
	{ .name = "notification: body of one octet", .dec = D_NOTIFICATION, .hex = "06", .rc = -1 },

	/*
	 * ROUTE-REFRESH, RFC 7313 §5: subtypes 1 and 2 with a body other than
	 * 4 octets are ROUTE-REFRESH Message Error / Invalid Message Length
	 * carrying the whole message; other subtypes than 0..2 are ignored.
	 * An AFI/SAFI we did not advertise is the session's to ignore (RFC
	 * 2918 §4), not a decoding error.
	 */
	{ .name = "route-refresh: BoRR with a body of 3",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0001 01",
	  .rc = BGP_RR_ERROR,
	  .code = BGP_ERR_RREFRESH,
	  .sub = BGP_ERR_RR_LEN,
	  .data_is_msg = true },
	{ .name = "route-refresh: EoRR with a body of 5",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0001 02 01 00",
	  .rc = BGP_RR_ERROR,
	  .code = BGP_ERR_RREFRESH,
	  .sub = BGP_ERR_RR_LEN,
	  .data_is_msg = true },
	{ .name = "route-refresh: empty body",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "",
	  .rc = BGP_RR_ERROR,
	  .code = BGP_ERR_RREFRESH,
	  .sub = BGP_ERR_RR_LEN,
	  .data_is_msg = true },
	{ .name = "route-refresh: BoRR",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0002 01 01",
	  .rc = BGP_RR_OK },
	{ .name = "route-refresh: subtype 3 ignored",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0001 03 01",
	  .rc = BGP_RR_IGNORE },
	{ .name = "route-refresh: subtype 255 ignored",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0001 ff 01",
	  .rc = BGP_RR_IGNORE },
	/* DECODER DISAGREES: the length is checked before the subtype, so this
	 * gives 7/1; RFC 7313 §5 applies the length rule to subtypes 1 and 2
	 * only and says any other subtype MUST be ignored. */
	{ .name = "route-refresh: subtype 3 with a body of 5 ignored",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0001 03 01 00",
	  .rc = BGP_RR_IGNORE },
	{ .name = "route-refresh: unknown AFI left to the session",
	  .dec = D_ROUTE_REFRESH,
	  .hex = "0003 00 01",
	  .rc = BGP_RR_OK },

	/*
	 * UPDATE lengths, RFC 4271 §6.3: fields past the end of the message
	 * are a Malformed Attribute List.  RFC 7606 §4: an attribute running
	 * past the attribute list, or 1-2 octets too few for a header, is
	 * treat-as-withdraw, the NLRI being found through the Total Path
	 * Attribute Length.
	 */
	{ .name = "update: withdrawn length past the end",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .hex = MARKER "0017 02 0010 0000",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_ATTR_LIST },
	{ .name = "update: total attribute length past the end",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .hex = MARKER "001b 02 0000 0010 40010100",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_ATTR_LIST },
	{ .name = "update: attribute runs past the attribute list",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 08 08 fde90001",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: one trailing octet in the attribute list",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: two trailing octets in the attribute list",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 08",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: extended-length header cut short",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "d0 08 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },

	/* NLRI fields, RFC 4271 §6.3 and RFC 7606 §5.3: a prefix that cannot
	 * be read cannot be withdrawn either, so Invalid Network Field.  With
	 * ADD-PATH every prefix carries a path identifier (RFC 7911 §3). */
	{ .name = "update: truncated NLRI",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY,
	  .nlri = "18 0a00",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_NETWORK },
	{ .name = "update: IPv4 prefix length 33",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY,
	  .nlri = "21 0a000000 00",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_NETWORK },
	{ .name = "update: withdrawn prefix length 33",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .withdrawn = "21 0a000000 00",
	  .attrs = "",
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_NETWORK },
	{ .name = "update: ADD-PATH path identifier absent",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_addpath_v4,
	  .attrs = MANDATORY,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_NETWORK },
	{ .name = "update: ADD-PATH path identifier present",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_addpath_v4,
	  .attrs = MANDATORY,
	  .nlri = "00000001 " NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .routes = "+10.0.0.0/24#1" },

	/* RFC 7606 §3d: missing well-known mandatory attributes cost the
	 * routes, not the session; without NLRI none are needed.  FRR crashed
	 * on the last two forms (CVE-2023-47234, -47235). */
	{ .name = "update: NLRI without mandatory attributes",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: MP_REACH without ORIGIN and AS_PATH",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MP_REACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-2001:db8::/64" },
	{ .name = "update: MP_UNREACH and IPv4 NLRI without mandatory attributes",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MP_UNREACH_V6,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .has = { BGP_ATTR_MP_UNREACH },
	  .routes = "-2001:db8::/64 -10.0.0.0/24" },
	{ .name = "update: only unknown optional attributes",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "c0 63 02 abcd 80 64 01 00",
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .opaque = "e0 63 02 abcd",
	  .routes = "",
	  .eor = EOR_NO },
	/* DECODER DISAGREES: the dropped attribute leaves the UPDATE looking
	 * empty, so it is taken for End-of-RIB; RFC 4724 §2: "For the IPv4
	 * unicast address family, the End-of-RIB marker is an UPDATE message
	 * with the minimum length".  Taking such an UPDATE for End-of-RIB is
	 * what crashed FRR under graceful restart (CVE-2023-47235). */
	{ .name = "update: only an unknown non-transitive attribute is not End-of-RIB",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "80 64 01 00",
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .opaque = "",
	  .eor = EOR_NO },

	/* Attribute flags, RFC 4271 §4.3: the low four bits are ignored.
	 * RFC 7606 §3c: Optional/Transitive in conflict with the type make the
	 * attribute malformed, costing what its own malformation costs. */
	{ .name = "update: attribute flags with the low four bits set",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "4f 01 01 00" AS_PATH_65001 NEXT_HOP "cf 63 01 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .has = { BGP_ATTR_ORIGIN },
	  .opaque = "e0 63 01 00",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: ORIGIN flagged optional",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "c0 01 01 00" AS_PATH_65001 NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_ORIGIN },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AGGREGATOR flagged well-known",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "40 07 08 0000fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },
	/* RFC 4271 §6.3: Unrecognized Well-known Attribute, data the attribute.
	 * GoBGP dereferenced nil here (CVE-2026-41642). */
	{ .name = "update: unknown attribute flagged well-known",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "40 63 02 abcd",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_UNKNOWN_WK,
	  .data = "40 63 02 abcd" },

	/* RFC 7606 §3g: later copies of an attribute are discarded, except
	 * that MP_REACH_NLRI or MP_UNREACH_NLRI twice is a Malformed Attribute
	 * List. */
	{ .name = "update: ORIGIN twice, first kept",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "40 01 01 02",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .has = { BGP_ATTR_ORIGIN },
	  .routes = "+10.0.0.0/24",
	  .extra = first_origin_kept },
	{ .name = "update: MP_REACH twice",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V6 MP_REACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_ATTR_LIST },
	{ .name = "update: MP_UNREACH twice",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MP_UNREACH_V6 MP_UNREACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_ATTR_LIST },

	/*
	 * Unrecognised optional transitive attributes are passed on with the
	 * Partial bit set, whatever they hold (RFC 4271 §5); non-transitive
	 * ones are quietly dropped.  Resetting on them spread the August 2023
	 * incident (CVE-2023-38802: type 23, Tunnel Encapsulation).  The
	 * length is re-encoded in its short form when it fits, which RFC
	 * 4271 §4.3 leaves to the sender.
	 */
	{ .name = "update: unknown optional transitive 99 with garbage",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 63 05 deadbeef00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .opaque = "e0 63 05 deadbeef00",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: unknown optional transitive 23 with an overrunning TLV",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 17 07 0008 0010 010203",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .opaque = "e0 17 07 0008 0010 010203",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: unknown optional transitive 255 with extended length",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "d0 ff 0004 01020304",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .opaque = "e0 ff 04 01020304",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: unknown optional transitive already partial",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "e0 63 01 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .opaque = "e0 63 01 00",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: unknown optional non-transitive dropped",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "80 64 02 abcd",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .opaque = "",
	  .routes = "+10.0.0.0/24" },

	/* ORIGIN (RFC 7606 §7.1) and NEXT_HOP (§7.3, RFC 4271 §6.3): wrong
	 * length, undefined value or a next hop that is no unicast host are
	 * treat-as-withdraw.  GoBGP panicked on a short NEXT_HOP
	 * (CVE-2026-30405). */
	{ .name = "update: ORIGIN value 3",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "40 01 01 03" AS_PATH_65001 NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_ORIGIN },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: ORIGIN length 2",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "40 01 02 0000" AS_PATH_65001 NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: NEXT_HOP of 3 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "40 03 03 c00002",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_NEXT_HOP },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: NEXT_HOP of 0 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "40 03 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_NEXT_HOP },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: NEXT_HOP multicast",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "40 03 04 e0000001",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },

	/* AS_PATH, RFC 7606 §7.2: unknown segment type, zero-length segment
	 * or overrun is treat-as-withdraw; so are confederation segments from
	 * an external peer (RFC 5065 §5).  kbgp takes an internal peer as a
	 * possible confederation member. */
	{ .name = "update: AS_PATH segment of length 0",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP "40 02 02 02 00" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_AS_PATH },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AS_PATH segment type 0",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP "40 02 06 00 01 0000fde9" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_AS_PATH },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AS_PATH segment type 5",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP "40 02 06 05 01 0000fde9" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_AS_PATH },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AS_PATH segment overruns the attribute",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP "40 02 06 02 02 0000fde9" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_AS_PATH },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AS_PATH confederation segment from eBGP",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP "40 02 0c 03 01 0000fde8 02 01 0000fde9" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_AS_PATH },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: AS_PATH confederation segment from iBGP",
	  .dec = D_UPDATE,
	  .ctx = &ibgp,
	  .attrs = ORIGIN_IGP "40 02 0c 03 01 0000fde8 02 01 0000fde9" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .as_path = "0301 0000fde8 0201 0000fde9",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AS_PATH of 2,295 ASNs in an extended message",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .max_len = BGP_EXT_MAX_LEN,
	  .build = build_long_path,
	  .act = BGP_ACT_NONE,
	  .routes = "+10.0.0.0/24",
	  .extra = long_path_decoded },
	{ .name = "update: 2-octet AS_PATH widened",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = MANDATORY2,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .as_path = "0201 0000fde9",
	  .routes = "+10.0.0.0/24" },

	/*
	 * AS4_PATH, RFC 6793 §4.2.3 and §6: merged behind AS_TRANS whatever
	 * the attribute order; malformed (which includes shorter than 6
	 * octets) it is discarded alone; confederation segments in it are
	 * discarded and the rest used; from a 4-octet speaker it is
	 * discarded.  GoBGP mis-sliced AS4_PATH placed first
	 * (CVE-2026-41643); JUNOSe reset on confederation segments.
	 */
	{ .name = "update: AS4_PATH before AS_PATH merged",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = ORIGIN_IGP AS4_PATH_4200M AS_PATH2_TRANS NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .as_path = PATH_MERGED,
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: malformed AS4_PATH before AS_PATH discarded alone",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = ORIGIN_IGP "c0 11 06 02 02 fa56ea00" AS_PATH2_TRANS NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .has = { BGP_ATTR_AS_PATH },
	  .as_path = PATH_WIDENED,
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AS4_PATH of only a confederation segment",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = ORIGIN_IGP AS_PATH2_TRANS "c0 11 06 03 01 0000fde8" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .as_path = PATH_WIDENED,
	  .routes = "+10.0.0.0/24" },
	/* DECODER DISAGREES: the whole AS4_PATH is discarded, losing
	 * 4200000000; RFC 6793 §6 discards only the confederation segments
	 * and continues with the rest. */
	{ .name = "update: AS4_PATH confederation segment dropped, rest merged",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = ORIGIN_IGP AS_PATH2_TRANS "c0 11 0c 03 01 0000fde8 02 01 fa56ea00" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .as_path = PATH_MERGED,
	  .routes = "+10.0.0.0/24" },
	/* DECODER DISAGREES: an empty AS4_PATH is accepted (action NONE);
	 * RFC 6793 §6 calls an AS4_PATH shorter than 6 octets malformed, to be
	 * discarded. */
	{ .name = "update: empty AS4_PATH discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = ORIGIN_IGP AS_PATH2_TRANS "c0 11 00" NEXT_HOP,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .as_path = PATH_WIDENED,
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AS4_PATH from a 4-octet speaker discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY AS4_PATH_4200M,
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .as_path = "0201 0000fde9",
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AS4_AGGREGATOR of 6 octets discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = MANDATORY2 "c0 07 06 5ba0 c0000201 c0 12 06 fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .has = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24",
	  .extra = aggregator_as_trans },

	/* MED (RFC 7606 §7.4), LOCAL_PREF (§7.5: discarded from an external
	 * peer, else length 4), ATOMIC_AGGREGATE (§7.6: length 0, else
	 * discarded) and AGGREGATOR (§7.7: 6 or 8 octets by the session's AS
	 * size, else discarded). */
	{ .name = "update: MED of 2 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "80 04 02 0001",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_MED },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: LOCAL_PREF of 2 octets from iBGP",
	  .dec = D_UPDATE,
	  .ctx = &ibgp,
	  .attrs = MANDATORY "40 05 02 0064",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_LOCAL_PREF },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: LOCAL_PREF from iBGP",
	  .dec = D_UPDATE,
	  .ctx = &ibgp,
	  .attrs = MANDATORY "40 05 04 00000064",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .has = { BGP_ATTR_LOCAL_PREF },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: LOCAL_PREF from eBGP discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "40 05 04 00000064",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_LOCAL_PREF },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: ATOMIC_AGGREGATE with data discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "40 06 01 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_ATOMIC_AGGREGATE },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AGGREGATOR of 8 on a 4-octet session",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 07 08 0000fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .has = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AGGREGATOR of 6 on a 4-octet session",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 07 06 fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AGGREGATOR of 7 on a 4-octet session",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 07 07 00fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AGGREGATOR of 6 on a 2-octet session",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = MANDATORY2 "c0 07 06 fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_NONE,
	  .has = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: AGGREGATOR of 8 on a 2-octet session",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_as2,
	  .attrs = MANDATORY2 "c0 07 08 0000fde9 c0000201",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_AGGREGATOR },
	  .routes = "+10.0.0.0/24" },

	/* Community lists must be a non-zero multiple of their item size, else
	 * treat-as-withdraw: COMMUNITIES (RFC 7606 §7.8), EXTENDED
	 * COMMUNITIES (§7.14), LARGE_COMMUNITY (RFC 8092 §6).  A recognised
	 * optional transitive attribute gone bad never resets the session. */
	{ .name = "update: COMMUNITIES of 3 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 08 03 fde900",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_COMMUNITIES },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: COMMUNITIES of 0 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 08 00",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_COMMUNITIES },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: COMMUNITIES of 6 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 08 06 fde90001 0000",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: EXTENDED COMMUNITIES of 12 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 10 0c 0002fde9 00000001 00000000",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_EXT_COMMUNITIES },
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: LARGE_COMMUNITY of 16 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 20 10 0000fde9 00000001 00000002 00000003",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_LARGE_COMMUNITY },
	  .routes = "-10.0.0.0/24" },

	/* Route reflection attributes (RFC 7606 §7.9, §7.10): discarded from
	 * an external peer, treat-as-withdraw when malformed from an internal
	 * one.  OTC (RFC 9234 §5): length other than 4 is treat-as-withdraw. */
	{ .name = "update: ORIGINATOR_ID from eBGP discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "80 09 04 c0000202",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_ORIGINATOR_ID },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: CLUSTER_LIST from eBGP discarded",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "80 0a 04 c0000202",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_CLUSTER_LIST },
	  .routes = "+10.0.0.0/24" },
	{ .name = "update: ORIGINATOR_ID of 3 octets from iBGP",
	  .dec = D_UPDATE,
	  .ctx = &ibgp,
	  .attrs = MANDATORY "80 09 03 c00002",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: CLUSTER_LIST of 6 octets from iBGP",
	  .dec = D_UPDATE,
	  .ctx = &ibgp,
	  .attrs = MANDATORY "80 0a 06 c0000202 0000",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .routes = "-10.0.0.0/24" },
	{ .name = "update: OTC of 3 octets",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MANDATORY "c0 23 03 00fde9",
	  .nlri = NLRI_V4,
	  .act = BGP_ACT_WITHDRAW,
	  .lacks = { BGP_ATTR_OTC },
	  .routes = "-10.0.0.0/24" },

	/*
	 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760).  An NLRI that cannot
	 * be located or parsed resets the session (RFC 7606 §5.3) with UPDATE
	 * Message Error / Optional Attribute Error carrying the attribute
	 * (RFC 4760 §7, RFC 4271 §6.3).  A family that was not negotiated is
	 * ignored.  FRR crashed on a truncated IPv6 next hop (PR 14645).
	 */
	{ .name = "update: MP_REACH IPv6",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .has = { BGP_ATTR_MP_REACH },
	  .routes = "+2001:db8::/64" },
	/* RFC 4760 §3: the reserved octet SHOULD be ignored upon receipt. */
	{ .name = "update: MP_REACH reserved octet set",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "80 0e 1e 0002 01 10 " V6_NH "01 " NLRI_V6,
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .routes = "+2001:db8::/64" },
	/* RFC 8950: IPv4 NLRI with an IPv6 next hop once negotiated. */
	{ .name = "update: MP_REACH IPv4 with an IPv6 next hop",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_extnh_v4,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V4_V6NH,
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .routes = "+10.0.0.0/24" },
	/*
	 * DECODER DISAGREES: the decoder, and the issue that listed these
	 * rows, make a next-hop length the family does not allow
	 * treat-as-withdraw (this row and the next four).  RFC 7606 §7.11:
	 * "If the Length of Next Hop Network Address field of the MP_REACH
	 * attribute is inconsistent with that which was expected, the
	 * attribute is considered malformed.  Since the next hop precedes the
	 * NLRI field in the attribute, in this case it will not be possible
	 * to reliably locate the NLRI; thus, the "session reset" or "AFI/SAFI
	 * disable" approach MUST be used."
	 */
	{ .name = "update: MP_REACH IPv4 with an IPv6 next hop not negotiated",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V4_V6NH,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_V4_V6NH },
	/* DECODER DISAGREES: RFC 7606 §7.11, as above. */
	{ .name = "update: MP_REACH next-hop length 3",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_NH3,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_NH3 },
	/* DECODER DISAGREES: RFC 7606 §7.11, as above. */
	{ .name = "update: MP_REACH next-hop length 0",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_NH0,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_NH0 },
	/* DECODER DISAGREES: RFC 7606 §7.11, as above. */
	{ .name = "update: MP_REACH next-hop length 17",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_NH17,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_NH17 },
	/* DECODER DISAGREES: RFC 7606 §7.11, as above. */
	{ .name = "update: MP_REACH next-hop length 33",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_NH33,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_NH33 },
	{ .name = "update: MP_REACH next hop runs past the attribute",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "80 0e 05 0002 01 20 aa",
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = "80 0e 05 0002 01 20 aa" },
	{ .name = "update: MP_REACH IPv6 prefix length 129",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_LEN129,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_LEN129 },
	{ .name = "update: MP_REACH ADD-PATH path identifier absent",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_addpath_v6,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = MP_REACH_V6 },
	{ .name = "update: MP_UNREACH NLRI with trailing junk",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "80 0f 05 0002 01 40 20",
	  .nlri = "",
	  .act = BGP_ACT_RESET,
	  .code = BGP_ERR_UPDATE,
	  .sub = BGP_ERR_UPD_OPT_ATTR,
	  .data = "80 0f 05 0002 01 40 20" },
	{ .name = "update: MP_REACH for a family not negotiated",
	  .dec = D_UPDATE,
	  .ctx = &ebgp_v4_only,
	  .attrs = ORIGIN_IGP AS_PATH_65001 MP_REACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_MP_REACH },
	  .routes = "" },
	{ .name = "update: MP_REACH for an unknown AFI/SAFI",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = ORIGIN_IGP AS_PATH_65001 "80 0e 0c 0019 46 04 c0000201 00 010203",
	  .nlri = "",
	  .act = BGP_ACT_ATTR_DISCARD,
	  .lacks = { BGP_ATTR_MP_REACH },
	  .routes = "" },

	/* End-of-RIB, RFC 4724 §2: the empty UPDATE for IPv4 unicast, an
	 * UPDATE with only an empty MP_UNREACH_NLRI for other families. */
	{ .name = "update: End-of-RIB for IPv4",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .withdrawn = "",
	  .attrs = "",
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .eor = EOR_V4 },
	{ .name = "update: End-of-RIB for IPv6",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = "80 0f 03 0002 01",
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .eor = EOR_V6 },
	{ .name = "update: MP_UNREACH with a prefix is not End-of-RIB",
	  .dec = D_UPDATE,
	  .ctx = &ebgp,
	  .attrs = MP_UNREACH_V6,
	  .nlri = "",
	  .act = BGP_ACT_NONE,
	  .eor = EOR_NO,
	  .routes = "-2001:db8::/64" },
};

static const char *const action_names[] = {
	[BGP_ACT_NONE] = "none",
	[BGP_ACT_ATTR_DISCARD] = "attribute discard",
	[BGP_ACT_WITHDRAW] = "treat-as-withdraw",
	[BGP_ACT_RESET] = "session reset",
};

static const char *const eor_names[] = {
	[EOR_ANY] = "any",
	[EOR_NO] = "no",
	[EOR_V4] = "IPv4",
	[EOR_V6] = "IPv6",
};

static uint8_t input[BGP_EXT_MAX_LEN];
static struct bgp_scratch scratch;

/* Start one more complaint about the row. */
static struct sbuf *complain(struct sbuf *why)
{
	if (why->len > 0)
		sbuf_puts(why, "; ");
	return why;
}

static void sbuf_hex(struct sbuf *s, const struct rbuf *r)
{
	uint8_t b;

	for (size_t i = 0; rbuf_peek_u8(r, i, &b) == 0; i++)
		sbuf_printf(s, "%02x", b);
}

static void expect_view(struct sbuf *why, const char *what, struct rbuf got, struct rbuf want)
{
	static uint8_t bytes[BGP_EXT_MAX_LEN];
	size_t n = rbuf_left(&want);
	struct rbuf copy = want;

	rbuf_copy(&copy, bytes, n);
	if (rbuf_equal(&got, bytes, n))
		return;
	sbuf_printf(complain(why), "%s: got ", what);
	sbuf_hex(why, &got);
	sbuf_puts(why, " want ");
	sbuf_hex(why, &want);
}

static void expect_hex(struct sbuf *why, const char *what, struct rbuf got, const char *hex)
{
	static uint8_t want[BGP_EXT_MAX_LEN];

	expect_view(why, what, got, rbuf_make(want, tl_hex(hex, want, sizeof(want))));
}

static size_t max_len(const struct row *r)
{
	return r->max_len != 0 ? r->max_len : BGP_MAX_LEN;
}

/* ROUTE-REFRESH rows give the body; its decoder wants the framed message. */
static size_t wrap_body(uint8_t type, const char *hex, uint8_t *out, size_t cap)
{
	static uint8_t body[BGP_EXT_MAX_LEN];
	size_t n = tl_hex(hex, body, sizeof(body));
	struct wbuf w;

	wbuf_init(&w, out, cap);
	size_t start = bgp_msg_begin(&w, type);
	wbuf_bytes(&w, body, n);
	bgp_msg_end(&w, start);
	assert_true(wbuf_ok(&w));
	return w.len;
}

static const char *or_empty(const char *hex)
{
	return hex != NULL ? hex : "";
}

static size_t row_input(const struct row *r)
{
	if (r->build != NULL)
		return r->build(input, sizeof(input));
	if (r->dec == D_ROUTE_REFRESH)
		return wrap_body(BGP_MSG_ROUTE_REFRESH, r->hex, input, sizeof(input));
	if (r->hex != NULL)
		return tl_hex(r->hex, input, sizeof(input));
	return tl_update(input, sizeof(input), or_empty(r->withdrawn), or_empty(r->attrs),
	                 or_empty(r->nlri));
}

static bool frame_whole(const struct row *r, struct rbuf in, struct outcome *o, struct sbuf *why)
{
	enum bgp_frame_result res = bgp_frame(in, max_len(r), &o->msg, &o->notice);

	if (res == BGP_FRAME_OK)
		return true;
	sbuf_printf(complain(why), "framing returned %d (%u/%u)", res, o->notice.code,
	            o->notice.subcode);
	return false;
}

/* Run the row's decoder; false when it could not run (no session for an
 * UPDATE, or input that does not frame). */
static bool run_row(const struct row *r, struct outcome *o, struct sbuf *why)
{
	struct rbuf in = rbuf_make(input, row_input(r));

	memset(o, 0, sizeof(*o));
	switch (r->dec) {
	case D_FRAME:
		o->rc = bgp_frame(in, max_len(r), &o->msg, &o->notice);
		return true;
	case D_OPEN:
		o->rc = bgp_open_decode(in, &o->open, &o->notice);
		return true;
	case D_NOTIFICATION:
		o->rc = bgp_notification_decode(in, &o->notification);
		bgp_notice_set_data(&o->notice, o->notification.code, o->notification.subcode,
		                    o->notification.data);
		return true;
	case D_ROUTE_REFRESH:
		if (!frame_whole(r, in, o, why))
			return false;
		o->rc = bgp_route_refresh_decode(&o->msg, &o->rr, &o->notice);
		return true;
	case D_UPDATE:
		if (r->ctx == NULL) {
			sbuf_puts(complain(why), "UPDATE row without a session");
			return false;
		}
		o->ctx = *r->ctx;
		if (!frame_whole(r, in, o, why))
			return false;
		o->rc = bgp_update_decode(&o->ctx, o->msg.body, &scratch, &o->update);
		o->notice = o->update.errors.notice;
		return true;
	}
	return false;
}

static int expected_rc(const struct row *r)
{
	if (r->dec == D_UPDATE)
		return r->act == BGP_ACT_RESET ? -1 : 0;
	return r->rc;
}

/* Whether the row ends in a NOTIFICATION to send, or decodes a received
 * one. */
static bool expects_notice(const struct row *r)
{
	switch (r->dec) {
	case D_FRAME:
		return r->rc == BGP_FRAME_ERROR;
	case D_OPEN:
		return r->rc < 0;
	case D_UPDATE:
		return r->act == BGP_ACT_RESET;
	case D_ROUTE_REFRESH:
		return r->rc == BGP_RR_ERROR;
	case D_NOTIFICATION:
		return r->rc == 0;
	}
	return false;
}

static void check_notice(const struct row *r, const struct outcome *o, struct sbuf *why)
{
	const struct bgp_notice *n = &o->notice;

	if (n->code != r->code || n->subcode != r->sub)
		sbuf_printf(complain(why), "notification %u/%u, want %u/%u", n->code, n->subcode,
		            r->code, r->sub);
	if (r->data_is_msg)
		expect_view(why, "notification data", bgp_notice_data(n), o->msg.raw);
	if (r->data != NULL)
		expect_hex(why, "notification data", bgp_notice_data(n), r->data);
}

static void check_attr_codes(const struct row *r, const struct bgp_attrs *a, struct sbuf *why)
{
	for (size_t i = 0; i < sizeof(r->has) && r->has[i] != 0; i++)
		if (!bgp_attr_has(a, r->has[i]))
			sbuf_printf(complain(why), "%s not kept", bgp_attr_name(r->has[i]));
	for (size_t i = 0; i < sizeof(r->lacks) && r->lacks[i] != 0; i++)
		if (bgp_attr_has(a, r->lacks[i]))
			sbuf_printf(complain(why), "%s kept", bgp_attr_name(r->lacks[i]));
}

static void format_routes(const struct outcome *o, struct sbuf *s)
{
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	char pfx[64];

	bgp_route_iter_init(&ri, &o->update, &o->ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		bgp_prefix_format(pfx, sizeof(pfx), &p);
		sbuf_printf(s, "%s%c%s", s->len > 0 ? " " : "", reach ? '+' : '-', pfx);
		if (p.path_id != 0)
			sbuf_printf(s, "#%u", p.path_id);
	}
}

static enum eor_expect eor_of(const struct bgp_update *u)
{
	enum bgp_af af;

	if (!bgp_update_is_eor(u, &af))
		return EOR_NO;
	return af == BGP_AF_IPV4_UNICAST ? EOR_V4 : EOR_V6;
}

/* The action, with the decoder's first reason to show why. */
static void check_action(const struct row *r, const struct bgp_update *u, struct sbuf *why)
{
	const struct bgp_errors *e = &u->errors;

	if (e->action != r->act)
		sbuf_printf(complain(why), "action %s (%s), want %s", action_names[e->action],
		            e->kept > 0 ? e->list[0].reason : "no error", action_names[r->act]);
}

static void check_update(const struct row *r, const struct outcome *o, struct sbuf *why)
{
	const struct bgp_update *u = &o->update;
	char text[512];
	struct sbuf routes;

	check_action(r, u, why);
	check_attr_codes(r, &u->attrs, why);
	if (r->opaque != NULL)
		expect_hex(why, "opaque attributes", u->attrs.opaque, r->opaque);
	if (r->as_path != NULL)
		expect_hex(why, "AS_PATH", u->attrs.as_path, r->as_path);
	if (r->eor != EOR_ANY && eor_of(u) != r->eor)
		sbuf_printf(complain(why), "End-of-RIB %s, want %s", eor_names[eor_of(u)],
		            eor_names[r->eor]);
	if (r->routes == NULL)
		return;
	sbuf_init(&routes, text, sizeof(text));
	format_routes(o, &routes);
	if (strcmp(text, r->routes) != 0)
		sbuf_printf(complain(why), "routes \"%s\", want \"%s\"", text, r->routes);
}

static void check_shutdown(const struct row *r, const struct outcome *o, struct sbuf *why)
{
	const struct bgp_notification *n = &o->notification;

	if (r->shutdown == NULL && n->has_shutdown_msg)
		sbuf_printf(complain(why), "shutdown message \"%s\", want none", n->shutdown_msg);
	if (r->shutdown != NULL &&
	    (!n->has_shutdown_msg || strcmp(n->shutdown_msg, r->shutdown) != 0))
		sbuf_printf(complain(why), "shutdown message \"%s\", want \"%s\"",
		            n->has_shutdown_msg ? n->shutdown_msg : "(none)", r->shutdown);
}

static void check_row(const struct row *r, const struct outcome *o, struct sbuf *why)
{
	const char *extra;

	if (o->rc != expected_rc(r)) {
		sbuf_printf(complain(why), "returned %d, want %d", o->rc, expected_rc(r));
		if (r->dec == D_UPDATE)
			check_action(r, &o->update, why);
		return;
	}
	if (expects_notice(r))
		check_notice(r, o, why);
	if (r->dec == D_UPDATE && o->rc == 0)
		check_update(r, o, why);
	if (r->dec == D_NOTIFICATION && o->rc == 0)
		check_shutdown(r, o, why);
	if (r->extra != NULL && (extra = r->extra(o)) != NULL)
		sbuf_puts(complain(why), extra);
}

static void test_malformed_table(void **state)
{
	static struct outcome o;
	const char *first = NULL;
	size_t failed = 0;
	char text[2048];
	struct sbuf why;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		sbuf_init(&why, text, sizeof(text));
		if (run_row(&rows[i], &o, &why))
			check_row(&rows[i], &o, &why);
		if (why.len == 0)
			continue;
		print_error("row \"%s\": %s\n", rows[i].name, text);
		if (failed++ == 0)
			first = rows[i].name;
	}
	if (failed > 0)
		fail_msg("%zu of %zu rows failed, first \"%s\"", failed, ARRAY_SIZE(rows), first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
