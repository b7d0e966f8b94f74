/*
 * msg: BGP message framing (RFC 4271 §4.1) and the small messages:
 * KEEPALIVE, NOTIFICATION (with RFC 9003 shutdown communications) and
 * ROUTE-REFRESH (RFC 2918, RFC 7313).  OPEN lives in open.h, UPDATE in
 * update.h.
 */
#ifndef KBGP_BGP_MSG_H
#define KBGP_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/proto.h"
#include "lib/buf.h"

#define BGP_SHUTDOWN_MSG_MAX 255 /* RFC 9003 */

/* A NOTIFICATION to send: code, subcode and data.  The data is either a
 * view of the bytes that caused it (an attribute, a whole message) or bytes
 * built on the spot (a length, a version number, a shutdown communication),
 * kept inside the struct so copies stay valid; bgp_notice_data() gives
 * whichever it is. */
struct bgp_notice {
	uint8_t code;
	uint8_t subcode;
	uint16_t own_len;
	uint8_t own[1 + BGP_SHUTDOWN_MSG_MAX];
	struct rbuf data;
};

void bgp_notice_set(struct bgp_notice *n, uint8_t code, uint8_t subcode);
void bgp_notice_set_data(struct bgp_notice *n, uint8_t code, uint8_t subcode, struct rbuf data);
void bgp_notice_set_u8(struct bgp_notice *n, uint8_t code, uint8_t subcode, uint8_t v);
void bgp_notice_set_u16(struct bgp_notice *n, uint8_t code, uint8_t subcode, uint16_t v);
/* Cease with an RFC 9003 shutdown communication, cut to 255 bytes on a
 * UTF-8 character boundary. */
void bgp_notice_set_shutdown(struct bgp_notice *n, uint8_t subcode, const char *text);
struct rbuf bgp_notice_data(const struct bgp_notice *n);

/* One framed message: its type and its body (the bytes after the header). */
struct bgp_msg {
	uint8_t type;
	uint16_t len;     /* whole message, header included */
	struct rbuf raw;  /* whole message */
	struct rbuf body; /* the bytes after the header */
};

enum bgp_frame_result {
	BGP_FRAME_ERROR = -1,
	BGP_FRAME_NEED_MORE = 0,
	BGP_FRAME_OK = 1,
};

/*
 * Frame the next message from a byte stream.  max_len is 4096, or 65535 once
 * extended messages are negotiated; OPEN and KEEPALIVE are always held to
 * 4096 (RFC 8654).  On BGP_FRAME_OK, msg->len bytes are consumed by the
 * message.  On error, err holds the Message Header Error to send.
 */
enum bgp_frame_result bgp_frame(struct rbuf in, size_t max_len, struct bgp_msg *msg,
                                struct bgp_notice *err);

/* Begin a message: writes the marker, a length to patch and the type. */
size_t bgp_msg_begin(struct wbuf *w, enum bgp_msg_type type);
/* Finish a message begun at `start`: patch its length. */
void bgp_msg_end(struct wbuf *w, size_t start);

void bgp_keepalive_encode(struct wbuf *w);

struct bgp_notification {
	uint8_t code;
	uint8_t subcode;
	struct rbuf data;
	/* A Hard Reset (RFC 8538 §3) carries the NOTIFICATION it stands for:
	 * its code and subcode, 0/0 when absent or too short. */
	uint8_t inner_code, inner_subcode;
	/* RFC 9003 shutdown communication of a Cease/2 or Cease/4 (perhaps
	 * inside a Hard Reset), made safe
	 * for logs: invalid UTF-8 and control characters become '?'.  Empty
	 * when absent or when the length octet does not fit the data. */
	char shutdown_msg[BGP_SHUTDOWN_MSG_MAX + 1];
	bool has_shutdown_msg;
};

/* A NOTIFICATION is never answered with another one, so decoding only fails
 * when the body is shorter than code + subcode. */
int bgp_notification_decode(struct rbuf body, struct bgp_notification *n);
void bgp_notification_encode(struct wbuf *w, const struct bgp_notice *n);
/* RFC 8538 §5: once the N bit is exchanged, the Ceases that mean "drop my
 * routes" (maximum prefixes, administrative shutdown and reset, peer
 * de-configured) must travel as a Hard Reset, or a helper keeps them. */
bool bgp_notice_needs_hard_reset(const struct bgp_notice *n);
/* n as the data of a Cease/Hard Reset. */
void bgp_notification_encode_hard_reset(struct wbuf *w, const struct bgp_notice *n);

const char *bgp_msg_type_name(uint8_t type);
const char *bgp_err_code_name(uint8_t code);
/* NULL when the subcode has no name. */
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);

enum bgp_rr_subtype {
	BGP_RR_NORMAL = 0,
	BGP_RR_BORR = 1, /* RFC 7313 beginning of route refresh */
	BGP_RR_EORR = 2, /* RFC 7313 end of route refresh */
};

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};

enum bgp_rr_result {
	BGP_RR_ERROR = -1, /* send err (ROUTE-REFRESH Message Error) */
	BGP_RR_IGNORE = 0, /* RFC 7313 §5: unknown subtype, ignore it */
	BGP_RR_OK = 1,
};

enum bgp_rr_result bgp_route_refresh_decode(const struct bgp_msg *msg, struct bgp_route_refresh *rr,
                                            struct bgp_notice *err);
void bgp_route_refresh_encode(struct wbuf *w, const struct bgp_route_refresh *rr);

#endif
