/*
 * session: BGP peers on the event loop.  A speaker owns the listening
 * sockets and its peers; each peer owns its configuration, its FSM and at
 * most two TCP connections (the session, and one accepted connection
 * waiting for RFC 4271 §6.8 collision resolution).  What arrives in
 * Established goes up through struct bgp_speaker_ops; what the RIB wants to
 * send comes down through bgp_peer_send().
 */
#ifndef KBGP_BGP_SESSION_H
#define KBGP_BGP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/fsm.h"
#include "bgp/negotiate.h"
#include "bgp/transport.h"
#include "bgp/update.h"
#include "lib/addr.h"
#include "lib/loop.h"

struct bgp_peer_cfg {
	char name[64];           /* how logs call the peer */
	union sockaddr_any addr; /* port included */
	enum bgp_peer_as_kind as_kind;
	uint32_t asn;           /* for BGP_PEER_AS_NUMBER */
	uint16_t hold_time;     /* seconds; 0 or >= 3 */
	uint16_t keepalive;     /* seconds; 0: a third of the hold time */
	uint16_t connect_retry; /* seconds */
	bool passive;           /* never connect, only accept */
	struct transport_opts transport;
	uint8_t families; /* BGP_AF_BIT set offered */
	bool graceful_restart;
	uint16_t restart_time; /* seconds, <= 4095 */
	bool shutdown;         /* configured down */
};

struct bgp_speaker_cfg {
	uint32_t asn;
	uint32_t router_id;
	char hostname[64]; /* sent in the FQDN capability */
	uint32_t idle_hold_min_ms;
	uint32_t idle_hold_max_ms;
	/* Announce the Restart bit (RFC 4724) in OPENs sent before this
	 * loop_now() time: the speaker has just restarted. */
	uint64_t restarting_until;
};

struct bgp_peer;
struct bgp_speaker;

struct bgp_speaker_ops {
	void (*established)(void *ctx, struct bgp_peer *p);
	void (*down)(void *ctx, struct bgp_peer *p);
	/* A decoded UPDATE that did not reset the session. */
	void (*update)(void *ctx, struct bgp_peer *p, const struct bgp_update *u);
	void (*route_refresh)(void *ctx, struct bgp_peer *p, const struct bgp_route_refresh *rr);
	/* A connection from an address no peer has: add a passive peer for it
	 * (bgp_peer_add) to accept it as a dynamic neighbour, or return NULL
	 * to refuse it. */
	struct bgp_peer *(*dynamic_peer)(void *ctx, const union sockaddr_any *from);
};

struct bgp_stats {
	uint64_t msgs_in[6], msgs_out[6]; /* by message type */
	uint32_t established_count;
	uint64_t last_change;  /* loop_now() of the last state change */
	uint8_t last_error[2]; /* code, subcode of the last NOTIFICATION */
	bool last_error_sent;
	bool ended_by_notification; /* the last session ended with one, either way */
};

struct bgp_conn {
	struct bgp_peer *peer;
	int fd;
	bool outgoing;
	bool connecting;    /* connect() in progress */
	bool open_received; /* for a connection waiting on collision */
	struct loop_io io;
	uint8_t *in;             /* BGP_EXT_MAX_LEN + read slack */
	size_t in_start, in_len; /* in[in_start..in_len) not handled yet */
	uint8_t *out;            /* queued bytes, written as the socket allows */
	size_t out_len, out_cap;
};

struct bgp_peer {
	struct bgp_peer *next;
	struct bgp_speaker *speaker;
	struct bgp_peer_cfg cfg;
	bool dynamic;
	struct bgp_fsm fsm;
	struct bgp_conn conn;    /* the session */
	struct bgp_conn pending; /* accepted while conn was opening */
	struct loop_timer timer;
	struct bgp_open peer_open;
	struct bgp_negotiated neg;
	struct bgp_stats stats;
	void *rib; /* owned by the layer above */
};

#define BGP_LISTEN_MAX 8

struct bgp_listener {
	struct bgp_speaker *speaker;
	int fd;
	struct loop_io io;
};

struct bgp_speaker {
	struct loop *loop;
	struct bgp_speaker_cfg cfg;
	const struct bgp_speaker_ops *ops;
	void *ctx;
	struct bgp_peer *peers;
	int n_listen;
	struct bgp_listener listen[BGP_LISTEN_MAX];
	struct bgp_scratch *scratch;
};

int bgp_speaker_init(struct bgp_speaker *s, struct loop *l, const struct bgp_speaker_cfg *cfg,
                     const struct bgp_speaker_ops *ops, void *ctx);
void bgp_speaker_free(struct bgp_speaker *s);
/* Listen on addr (port included); -1 with errno on failure. */
int bgp_speaker_listen(struct bgp_speaker *s, const union sockaddr_any *addr);

struct bgp_peer *bgp_peer_add(struct bgp_speaker *s, const struct bgp_peer_cfg *cfg);
struct bgp_peer *bgp_peer_find(struct bgp_speaker *s, const union sockaddr_any *addr);
/* Stop the session with Cease/subcode (and an RFC 9003 message, may be
 * NULL) and forget the peer.  Subcode 0 closes the connection without a
 * NOTIFICATION, so a graceful-restart peer keeps the routes (RFC 4724). */
void bgp_peer_remove(struct bgp_peer *p, uint8_t subcode, const char *message);
/* Administrative down / up (Cease/2 with a message); a down peer stays down. */
void bgp_peer_disable(struct bgp_peer *p, const char *message);
void bgp_peer_enable(struct bgp_peer *p);
/* Stop with this NOTIFICATION; come back by itself after restart_s seconds,
 * or stay down until enabled when restart_s is 0. */
void bgp_peer_stop(struct bgp_peer *p, const struct bgp_notice *n, uint32_t restart_s);
/* Hard reset: Cease/subcode, then the session comes back by itself. */
void bgp_peer_reset(struct bgp_peer *p, uint8_t subcode, const char *message);
/* Soft reset in (RFC 2918): ask the peer to send a family again; -1 when
 * the session is not Established or did not negotiate route refresh or the
 * family. */
int bgp_peer_refresh(struct bgp_peer *p, enum bgp_af af);
/* Queue a whole encoded message; -1 if the peer is not Established or the
 * queue is full. */
int bgp_peer_send(struct bgp_peer *p, const uint8_t *msg, size_t len);
bool bgp_peer_established(const struct bgp_peer *p);

#endif
