/*
 * fsm: RFC 4271 §8.2.2, one switch per state.  Where this deviates from the
 * RFC it says so: like OpenBGPD, a failed connect() goes to Active and tries
 * again when ConnectRetry fires instead of dropping to Idle, and every error
 * that drops a session to Idle starts an IdleHold backoff after which the
 * session restarts by itself (the RFC's optional
 * DampPeerOscillations/AutomaticStart behaviour, always on).
 */
#include "bgp/fsm.h"

#include <string.h>

#define OPEN_HOLD_MS      (240 * 1000) /* RFC 4271 §8.2.2: "a large value" */
#define SEND_HOLD_MIN_MS  (480 * 1000) /* RFC 9687 §3: 8 minutes */
#define STABLE_SESSION_MS (60 * 1000)  /* up this long: forget the backoff */

static const char *const state_names[] = {
	[BGP_ST_IDLE] = "Idle",
	[BGP_ST_CONNECT] = "Connect",
	[BGP_ST_ACTIVE] = "Active",
	[BGP_ST_OPENSENT] = "OpenSent",
	[BGP_ST_OPENCONFIRM] = "OpenConfirm",
	[BGP_ST_ESTABLISHED] = "Established",
};

const char *bgp_state_name(enum bgp_state s)
{
	return state_names[s];
}

void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_config *cfg, uint32_t seed)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->rand = seed != 0 ? seed : 0x9e3779b9u;
	f->auto_restart = true;
}

static void timer_set(struct bgp_fsm *f, enum bgp_timer t, uint64_t now, uint32_t ms)
{
	f->deadline[t] = ms == 0 ? 0 : now + ms;
}

static void timer_stop(struct bgp_fsm *f, enum bgp_timer t)
{
	f->deadline[t] = 0;
}

static void timers_stop_all(struct bgp_fsm *f)
{
	for (int t = 0; t < BGP_T_COUNT; t++)
		f->deadline[t] = 0;
}

/* RFC 4271 §10: ConnectRetry is jittered to 75..100% of its value. */
static uint32_t jitter(struct bgp_fsm *f, uint32_t ms)
{
	f->rand ^= f->rand << 13;
	f->rand ^= f->rand >> 17;
	f->rand ^= f->rand << 5;
	return ms - (uint32_t)((uint64_t)ms * (f->rand % 256) / 1024);
}

uint64_t bgp_fsm_next_deadline(const struct bgp_fsm *f)
{
	uint64_t next = 0;
	for (int t = 0; t < BGP_T_COUNT; t++)
		if (f->deadline[t] != 0 && (next == 0 || f->deadline[t] < next))
			next = f->deadline[t];
	return next;
}

enum bgp_event bgp_fsm_due(struct bgp_fsm *f, uint64_t now)
{
	static const enum bgp_event events[BGP_T_COUNT] = {
		[BGP_T_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXPIRES,
		[BGP_T_HOLD] = BGP_EV_HOLD_EXPIRES,
		[BGP_T_KEEPALIVE] = BGP_EV_KEEPALIVE_EXPIRES,
		[BGP_T_IDLE_HOLD] = BGP_EV_IDLE_HOLD_EXPIRES,
		[BGP_T_SEND_HOLD] = BGP_EV_SEND_HOLD_EXPIRES,
	};
	for (int t = 0; t < BGP_T_COUNT; t++) {
		if (f->deadline[t] != 0 && f->deadline[t] <= now) {
			f->deadline[t] = 0;
			return events[t];
		}
	}
	return 0;
}

void bgp_fsm_set_negotiated(struct bgp_fsm *f, uint32_t hold_ms, uint32_t keepalive_ms)
{
	f->negotiated_hold_ms = hold_ms;
	f->negotiated_keepalive_ms = hold_ms == 0 ? 0 : keepalive_ms;
}

void bgp_fsm_restart_after(struct bgp_fsm *f, uint64_t now, uint32_t ms)
{
	f->auto_restart = true;
	timer_set(f, BGP_T_IDLE_HOLD, now, ms);
}

void bgp_fsm_send_blocked(struct bgp_fsm *f, uint64_t now, bool blocked)
{
	if (!blocked || f->state < BGP_ST_OPENSENT) {
		timer_stop(f, BGP_T_SEND_HOLD);
		return;
	}
	if (f->deadline[BGP_T_SEND_HOLD] != 0)
		return;
	uint32_t ms = 2 * f->negotiated_hold_ms;
	timer_set(f, BGP_T_SEND_HOLD, now, ms > SEND_HOLD_MIN_MS ? ms : SEND_HOLD_MIN_MS);
}

static void notify(struct bgp_fsm_out *out, uint8_t code, uint8_t subcode)
{
	out->actions |= BGP_DO_SEND_NOTIFICATION;
	bgp_notice_set(&out->notice, code, subcode);
}

static void notify_with(struct bgp_fsm_out *out, const struct bgp_notice *n, uint8_t code,
                        uint8_t subcode)
{
	if (n == NULL) {
		notify(out, code, subcode);
		return;
	}
	out->actions |= BGP_DO_SEND_NOTIFICATION;
	out->notice = *n;
}

/* Into Idle.  After an error the backoff doubles; a session that stayed up
 * for a while earns a fresh start. */
static void to_idle(struct bgp_fsm *f, uint64_t now, bool error, struct bgp_fsm_out *out)
{
	if (f->state == BGP_ST_ESTABLISHED) {
		out->actions |= BGP_DO_DOWN;
		if (now - f->established_at >= STABLE_SESSION_MS)
			f->idle_hold_ms = 0;
	}
	out->actions |= BGP_DO_CLOSE;
	timers_stop_all(f);
	f->state = BGP_ST_IDLE;
	if (!error || !f->auto_restart)
		return;
	uint32_t wait = f->idle_hold_ms == 0 ? f->cfg.idle_hold_min_ms : f->idle_hold_ms;
	timer_set(f, BGP_T_IDLE_HOLD, now, wait);
	f->idle_hold_ms = wait * 2 > f->cfg.idle_hold_max_ms ? f->cfg.idle_hold_max_ms : wait * 2;
}

static void start(struct bgp_fsm *f, uint64_t now, struct bgp_fsm_out *out)
{
	/* Started before the backoff ran out (a peer called): the backoff
	 * must not fire later, in a state that does not expect it. */
	timer_stop(f, BGP_T_IDLE_HOLD);
	f->connect_retry_count = 0;
	timer_set(f, BGP_T_CONNECT_RETRY, now, jitter(f, f->cfg.connect_retry_ms));
	if (f->cfg.passive) {
		f->state = BGP_ST_ACTIVE;
		return;
	}
	out->actions |= BGP_DO_CONNECT;
	f->state = BGP_ST_CONNECT;
}

static void connected(struct bgp_fsm *f, uint64_t now, struct bgp_fsm_out *out)
{
	timer_stop(f, BGP_T_CONNECT_RETRY);
	timer_set(f, BGP_T_HOLD, now, OPEN_HOLD_MS);
	out->actions |= BGP_DO_SEND_OPEN;
	f->state = BGP_ST_OPENSENT;
}

static void retry(struct bgp_fsm *f, uint64_t now, struct bgp_fsm_out *out)
{
	f->connect_retry_count++;
	timer_set(f, BGP_T_CONNECT_RETRY, now, jitter(f, f->cfg.connect_retry_ms));
	if (f->cfg.passive) {
		f->state = BGP_ST_ACTIVE;
		return;
	}
	out->actions |= BGP_DO_CLOSE | BGP_DO_CONNECT;
	f->state = BGP_ST_CONNECT;
}

static void fsm_idle(struct bgp_fsm *f, enum bgp_event ev, uint64_t now, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
		f->idle_hold_ms = 0;
		f->auto_restart = true;
		start(f, now, out);
		break;
	case BGP_EV_AUTO_START:
	case BGP_EV_IDLE_HOLD_EXPIRES:
		if (f->auto_restart)
			start(f, now, out);
		break;
	case BGP_EV_TCP_CONNECTED:
		out->actions |= BGP_DO_CLOSE; /* not accepting while idle */
		break;
	default:
		break; /* RFC 4271: other events are ignored in Idle */
	}
}

static void fsm_connecting(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                           struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		retry(f, now, out);
		break;
	case BGP_EV_TCP_CONNECTED:
		connected(f, now, out);
		break;
	case BGP_EV_TCP_FAILS:
		out->actions |= BGP_DO_CLOSE;
		f->state = BGP_ST_ACTIVE;
		break;
	case BGP_EV_MANUAL_STOP:
		f->auto_restart = false;
		to_idle(f, now, false, out);
		break;
	default:
		notify(out, BGP_ERR_FSM, 0);
		to_idle(f, now, true, out);
		break;
	}
}

/* Events every state from OpenSent on handles the same way. */
static bool fsm_open_common(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                            const struct bgp_notice *n, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_STOP:
		notify_with(out, n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
		f->auto_restart = false;
		to_idle(f, now, false, out);
		return true;
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, 0);
		to_idle(f, now, true, out);
		return true;
	case BGP_EV_SEND_HOLD_EXPIRES:
		/* RFC 9687 §4: the peer is not reading; a NOTIFICATION would
		 * queue behind the rest, so the connection just closes. */
		to_idle(f, now, true, out);
		return true;
	case BGP_EV_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		to_idle(f, now, false, out);
		return true;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
	case BGP_EV_UPDATE_ERR:
		notify_with(out, n, BGP_ERR_FSM, 0);
		to_idle(f, now, true, out);
		return true;
	case BGP_EV_NOTIFICATION:
	case BGP_EV_TCP_FAILS:
		to_idle(f, now, true, out);
		return true;
	case BGP_EV_KEEPALIVE_EXPIRES:
		out->actions |= BGP_DO_SEND_KEEPALIVE;
		timer_set(f, BGP_T_KEEPALIVE, now, f->negotiated_keepalive_ms);
		return true;
	default:
		return false;
	}
}

static void fsm_opensent(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                         const struct bgp_notice *n, struct bgp_fsm_out *out)
{
	if (fsm_open_common(f, ev, now, n, out))
		return;
	if (ev == BGP_EV_OPEN) {
		out->actions |= BGP_DO_SEND_KEEPALIVE;
		timer_set(f, BGP_T_HOLD, now, f->negotiated_hold_ms);
		timer_set(f, BGP_T_KEEPALIVE, now, f->negotiated_keepalive_ms);
		f->state = BGP_ST_OPENCONFIRM;
		return;
	}
	notify(out, BGP_ERR_FSM, 1);
	to_idle(f, now, true, out);
}

static void fsm_openconfirm(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                            const struct bgp_notice *n, struct bgp_fsm_out *out)
{
	if (fsm_open_common(f, ev, now, n, out))
		return;
	if (ev == BGP_EV_KEEPALIVE) {
		timer_set(f, BGP_T_HOLD, now, f->negotiated_hold_ms);
		out->actions |= BGP_DO_ESTABLISHED;
		f->established_at = now;
		f->state = BGP_ST_ESTABLISHED;
		return;
	}
	notify(out, BGP_ERR_FSM, 2);
	to_idle(f, now, true, out);
}

static void fsm_established(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                            const struct bgp_notice *n, struct bgp_fsm_out *out)
{
	if (fsm_open_common(f, ev, now, n, out))
		return;
	switch (ev) {
	case BGP_EV_UPDATE:
	case BGP_EV_ROUTE_REFRESH:
		out->actions |= BGP_DO_PROCESS;
		/* fall through */
	case BGP_EV_KEEPALIVE:
		timer_set(f, BGP_T_HOLD, now, f->negotiated_hold_ms);
		break;
	default:
		notify(out, BGP_ERR_FSM, 3);
		to_idle(f, now, true, out);
		break;
	}
}

void bgp_fsm_event(struct bgp_fsm *f, enum bgp_event ev, uint64_t now,
                   const struct bgp_notice *notice, struct bgp_fsm_out *out)
{
	memset(out, 0, sizeof(*out));
	switch (f->state) {
	case BGP_ST_IDLE:
		fsm_idle(f, ev, now, out);
		break;
	case BGP_ST_CONNECT:
	case BGP_ST_ACTIVE:
		fsm_connecting(f, ev, now, out);
		break;
	case BGP_ST_OPENSENT:
		fsm_opensent(f, ev, now, notice, out);
		break;
	case BGP_ST_OPENCONFIRM:
		fsm_openconfirm(f, ev, now, notice, out);
		break;
	case BGP_ST_ESTABLISHED:
		fsm_established(f, ev, now, notice, out);
		break;
	}
}
