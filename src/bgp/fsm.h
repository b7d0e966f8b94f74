/*
 * fsm: the BGP finite state machine of RFC 4271 §8, for one connection.
 *
 * A pure function of (state, event, now): it changes the state, sets or
 * stops timers (deadlines kept here as data, in milliseconds of a monotonic
 * clock the caller provides) and returns the actions the session layer must
 * carry out (connect, send, close ...).  No I/O, no clock reads, no
 * randomness of its own, so tests drive it with a fake clock.
 */
#ifndef KBGP_BGP_FSM_H
#define KBGP_BGP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/msg.h"

enum bgp_state {
	BGP_ST_IDLE,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
};

/* Events, numbered as in RFC 4271 §8.1 where they exist there. */
enum bgp_event {
	BGP_EV_MANUAL_START = 1,
	BGP_EV_MANUAL_STOP = 2,
	BGP_EV_AUTO_START = 3,
	BGP_EV_CONNECT_RETRY_EXPIRES = 9,
	BGP_EV_HOLD_EXPIRES = 10,
	BGP_EV_KEEPALIVE_EXPIRES = 11,
	BGP_EV_IDLE_HOLD_EXPIRES = 13,
	BGP_EV_TCP_CONNECTED = 17, /* our connect() completed, or we accepted */
	BGP_EV_TCP_FAILS = 18,
	BGP_EV_OPEN = 19, /* a valid OPEN, negotiation succeeded */
	BGP_EV_HEADER_ERR = 21,
	BGP_EV_OPEN_ERR = 22, /* OPEN refused: notice says why */
	BGP_EV_COLLISION_DUMP = 23,
	BGP_EV_NOTIFICATION = 25,
	BGP_EV_KEEPALIVE = 26,
	BGP_EV_UPDATE = 27,
	BGP_EV_UPDATE_ERR = 28,        /* an UPDATE that resets the session */
	BGP_EV_SEND_HOLD_EXPIRES = 29, /* RFC 9687 */
	BGP_EV_ROUTE_REFRESH = 30,
};

enum bgp_timer {
	BGP_T_CONNECT_RETRY,
	BGP_T_HOLD,
	BGP_T_KEEPALIVE,
	BGP_T_IDLE_HOLD,
	BGP_T_SEND_HOLD,
	BGP_T_COUNT,
};

/* What the session layer must do, in this order. */
enum bgp_action_bits {
	BGP_DO_CLOSE = 1 << 0,   /* drop the TCP connection */
	BGP_DO_CONNECT = 1 << 1, /* start a TCP connection to the peer */
	BGP_DO_SEND_OPEN = 1 << 2,
	BGP_DO_SEND_KEEPALIVE = 1 << 3,
	BGP_DO_SEND_NOTIFICATION = 1 << 4, /* out->notice, before closing */
	BGP_DO_ESTABLISHED = 1 << 5,       /* session up: send the table */
	BGP_DO_DOWN = 1 << 6,              /* leaving Established: routes go */
	BGP_DO_PROCESS = 1 << 7,           /* hand the message on (UPDATE, refresh) */
};

struct bgp_fsm_config {
	uint32_t connect_retry_ms; /* RFC 4271 default 120 s */
	uint32_t hold_ms;          /* before negotiation: "large" value */
	uint32_t idle_hold_min_ms; /* backoff after an error ... */
	uint32_t idle_hold_max_ms; /* ... doubling up to this */
	bool passive;              /* wait for the peer to connect */
};

struct bgp_fsm {
	enum bgp_state state;
	struct bgp_fsm_config cfg;
	uint64_t deadline[BGP_T_COUNT]; /* 0: stopped */
	uint32_t negotiated_hold_ms;    /* from the OPENs; 0 turns both timers off */
	uint32_t negotiated_keepalive_ms;
	uint32_t idle_hold_ms; /* the next backoff */
	uint64_t established_at;
	uint32_t connect_retry_count;
	uint32_t rand;     /* xorshift state for jitter */
	bool auto_restart; /* go back to Connect after an error */
};

struct bgp_fsm_out {
	unsigned actions; /* enum bgp_action_bits */
	struct bgp_notice notice;
};

void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_config *cfg, uint32_t seed);
/* Apply one event.  For BGP_EV_OPEN the caller first stores the negotiated
 * timers (bgp_fsm_set_negotiated); for error events it passes the
 * NOTIFICATION to send in `notice` (NULL otherwise). */
void bgp_fsm_event(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                   const struct bgp_notice *notice, struct bgp_fsm_out *out);
void bgp_fsm_set_negotiated(struct bgp_fsm *f, uint32_t hold_ms, uint32_t keepalive_ms);
/* The earliest running deadline, or 0 when no timer runs. */
uint64_t bgp_fsm_next_deadline(const struct bgp_fsm *f);
/* If a timer is due at `now`, stop it and return its event; else 0. */
enum bgp_event bgp_fsm_due(struct bgp_fsm *f, uint64_t now);
/* After a stop, start again by itself in `ms` (a max-prefix restart). */
void bgp_fsm_restart_after(struct bgp_fsm *f, uint64_t now, uint32_t ms);
/* The session layer reports whether its output queue drains (RFC 9687). */
void bgp_fsm_send_blocked(struct bgp_fsm *f, uint64_t now, bool blocked);

const char *bgp_state_name(enum bgp_state s);

#endif
