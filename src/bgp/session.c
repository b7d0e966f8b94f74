/*
 * session: peers, their FSM, and the messages of a session.  The FSM
 * decides, this file carries out: connect, send, close, and hand UPDATEs
 * up.  Everything a peer does is logged with its name, state changes and
 * NOTIFICATIONs with their code names.
 */
#include "bgp/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/conn.h"
#include "lib/log.h"

#define SEC 1000u

static void peer_io(struct loop_io *io, unsigned events);
static void pending_io(struct loop_io *io, unsigned events);
static void peer_timer(struct loop_timer *t);
static void peer_event(struct bgp_peer *p, enum bgp_event ev, const struct bgp_notice *n);

static void peer_log(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void peer_log(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
{
	char msg[512], addr[ADDR_TEXT_MAX];
	va_list ap;
	const struct log_field fields[] = {
		{ "peer", addr_text(&p->cfg.addr, addr) },
		{ "name", p->cfg.name },
		{ "state", bgp_state_name(p->fsm.state) },
		{ NULL, NULL },
	};
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level, "bgp", fields, "%s", msg);
}

/* "Cease / Administrative Reset (6/4)" */
static void describe_error(char *buf, size_t size, uint8_t code, uint8_t subcode)
{
	const char *sub = bgp_err_subcode_name(code, subcode);
	snprintf(buf, size, "%s / %s (%u/%u)", bgp_err_code_name(code),
	         sub != NULL ? sub : "Unknown", code, subcode);
}

static void log_notification(const struct bgp_peer *p, const char *dir,
                             const struct bgp_notification *n)
{
	char outer[128], inner[128] = "";
	const char *text = n->shutdown_msg;

	describe_error(outer, sizeof(outer), n->code, n->subcode);
	if (n->inner_code != 0) {
		memcpy(inner, " for ", 6);
		describe_error(inner + 5, sizeof(inner) - 5, n->inner_code, n->inner_subcode);
	}
	peer_log(p, LOG_WARN, "NOTIFICATION %s: %s%s%s%s%s", dir, outer, inner,
	         text[0] ? " \"" : "", text, text[0] ? "\"" : "");
}

static uint64_t now_ms(const struct bgp_peer *p)
{
	return loop_now(p->speaker->loop);
}

static void peer_arm_timer(struct bgp_peer *p)
{
	loop_timer_at(p->speaker->loop, &p->timer, bgp_fsm_next_deadline(&p->fsm));
}

static void peer_count_out(struct bgp_peer *p, const uint8_t *msg)
{
	uint8_t type = msg[BGP_MARKER_LEN + 2];
	if (type <= BGP_MSG_ROUTE_REFRESH)
		p->stats.msgs_out[type]++;
}

static int conn_send_msg(struct bgp_conn *c, const struct wbuf *w)
{
	if (!wbuf_ok(w))
		return -1;
	peer_count_out(c->peer, w->p);
	return conn_send(c, w->p, w->len);
}

static void send_open(struct bgp_peer *p, struct bgp_conn *c);

static struct bgp_local peer_local(const struct bgp_peer *p)
{
	const struct bgp_speaker_cfg *sc = &p->speaker->cfg;
	struct bgp_local l = {
		.asn = sc->asn,
		.router_id = sc->router_id,
		.peer_as_kind = p->cfg.as_kind,
		.peer_asn = p->cfg.asn,
		.keepalive = p->cfg.keepalive,
	};
	struct bgp_caps *c = &l.open.caps;

	l.open.version = BGP_VERSION;
	l.open.my_as = sc->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)sc->asn;
	l.open.hold_time = p->cfg.hold_time;
	l.open.bgp_id = sc->router_id;
	c->mp = p->cfg.families;
	bgp_caps_mark(c, BGP_CAPA_MP);
	bgp_caps_mark(c, BGP_CAPA_ROUTE_REFRESH);
	bgp_caps_mark(c, BGP_CAPA_ENHANCED_RR);
	bgp_caps_mark(c, BGP_CAPA_EXT_MESSAGE);
	c->as4 = true;
	c->as4_asn = sc->asn;
	/* Always announced: without graceful restart of our own, with no
	 * families and no restart time, which says we help restarting peers
	 * (RFC 4724 §3, BIRD's "aware" mode).  FRR also answers a route
	 * refresh only from peers that announce it. */
	c->gr.present = true;
	c->gr.flags = BGP_GR_F_NOTIFICATION;
	if (p->cfg.graceful_restart) {
		if (loop_now(p->speaker->loop) < sc->restarting_until)
			c->gr.flags |= BGP_GR_F_RESTART;
		c->gr.restart_time = p->cfg.restart_time;
		c->gr.afs = p->cfg.families;
		/* Forwarding survives our restarts: the kernel keeps the routes
		 * (fib_close with keep), a node keeps routing its pods.  Without
		 * F, a helper must drop our routes when we come back (§4.2). */
		c->gr.forwarding = p->cfg.families;
	}
	if (sc->hostname[0] != '\0') {
		c->has_fqdn = true;
		snprintf(c->fqdn_host, sizeof(c->fqdn_host), "%s", sc->hostname);
	}
	return l;
}

static void send_open(struct bgp_peer *p, struct bgp_conn *c)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	struct bgp_local l = peer_local(p);

	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_encode(&w, &l.open);
	conn_send_msg(c, &w);
}

static void send_keepalive(struct bgp_conn *c)
{
	uint8_t buf[BGP_HEADER_LEN];
	struct wbuf w;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	conn_send_msg(c, &w);
}

/* A NOTIFICATION is the last thing on a connection: queue it and push it
 * out now, since the connection closes right after.  session_was_up: it
 * ends an Established session (the FSM has already left the state), so a
 * Cease may have to go as Hard Reset (RFC 8538). */
static void send_notice(struct bgp_conn *c, const struct bgp_notice *n, bool session_was_up)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;

	if (!conn_is_open(c) || c->connecting)
		return;
	wbuf_init(&w, buf, sizeof(buf));
	struct bgp_peer *p = c->peer;
	if (c == &p->conn && session_was_up && p->neg.hard_reset_ceases &&
	    bgp_notice_needs_hard_reset(n))
		bgp_notification_encode_hard_reset(&w, n);
	else
		bgp_notification_encode(&w, n);
	conn_send_msg(c, &w);
	conn_flush(c);
	struct bgp_notification sent;
	struct bgp_msg m;
	struct bgp_notice unused;
	if (bgp_frame(wbuf_view(&w), BGP_EXT_MAX_LEN, &m, &unused) != BGP_FRAME_OK ||
	    bgp_notification_decode(m.body, &sent) < 0)
		return;
	log_notification(p, "sent", &sent);
	c->peer->stats.last_error[0] = sent.code;
	c->peer->stats.last_error[1] = sent.subcode;
	c->peer->stats.last_error_sent = true;
	c->peer->stats.ended_by_notification = true;
}

static void start_connect(struct bgp_peer *p)
{
	char addr[ADDR_TEXT_MAX];
	int fd = transport_connect(&p->cfg.addr, &p->cfg.transport);
	if (fd < 0) {
		peer_log(p, LOG_WARN, "connect to %s failed: %s", addr_text(&p->cfg.addr, addr),
		         strerror(errno));
		peer_event(p, BGP_EV_TCP_FAILS, NULL);
		return;
	}
	conn_attach(&p->conn, fd, true, true);
}

static void set_state_stats(struct bgp_peer *p, enum bgp_state before)
{
	if (p->fsm.state == before)
		return;
	p->stats.last_change = now_ms(p);
	if (p->fsm.state == BGP_ST_ESTABLISHED) {
		p->stats.established_count++;
		p->stats.ended_by_notification = false;
	}
	peer_log(p,
	         p->fsm.state == BGP_ST_ESTABLISHED || before == BGP_ST_ESTABLISHED ? LOG_INFO
	                                                                            : LOG_DEBUG,
	         "state changed from %s", bgp_state_name(before));
}

static void send_notification(struct bgp_conn *c, const struct bgp_notice *n)
{
	send_notice(c, n, false);
}

static void carry_out(struct bgp_peer *p, const struct bgp_fsm_out *out, enum bgp_state before)
{
	struct bgp_speaker *s = p->speaker;

	if (out->actions & BGP_DO_SEND_NOTIFICATION)
		send_notice(&p->conn, &out->notice, before == BGP_ST_ESTABLISHED);
	if (out->actions & BGP_DO_DOWN)
		s->ops->down(s->ctx, p);
	if (out->actions & BGP_DO_CLOSE) {
		conn_close(&p->conn);
		conn_close(&p->pending);
	}
	if (out->actions & BGP_DO_SEND_OPEN)
		send_open(p, &p->conn);
	if (out->actions & BGP_DO_SEND_KEEPALIVE)
		send_keepalive(&p->conn);
	if (out->actions & BGP_DO_ESTABLISHED) {
		if (conn_is_open(&p->pending)) {
			struct bgp_notice cease;
			bgp_notice_set(&cease, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
			send_notification(&p->pending, &cease);
			conn_close(&p->pending);
		}
		s->ops->established(s->ctx, p);
	}
	if (out->actions & BGP_DO_CONNECT)
		start_connect(p);
}

static void peer_event(struct bgp_peer *p, enum bgp_event ev, const struct bgp_notice *n)
{
	struct bgp_fsm_out out;
	enum bgp_state before = p->fsm.state;

	bgp_fsm_event(&p->fsm, ev, now_ms(p), n, &out);
	set_state_stats(p, before);
	carry_out(p, &out, before);
	peer_arm_timer(p);
}

/* A connect() that never completes usually means packets are dropped on
 * the way; with TCP-MD5 it is the classic sign of a key mismatch, which the
 * kernel never reports. */
static void log_unanswered_connect(const struct bgp_peer *p)
{
	if (p->cfg.transport.md5_key[0] != '\0')
		peer_log(p, LOG_WARN,
		         "connect got no answer: TCP-MD5 is configured, and a key "
		         "mismatch makes both kernels drop the segments silently");
	else
		peer_log(p, LOG_INFO, "connect got no answer before ConnectRetry expired");
}

static void peer_timer(struct loop_timer *t)
{
	struct bgp_peer *p = container_of(t, struct bgp_peer, timer);
	enum bgp_event ev;

	while ((ev = bgp_fsm_due(&p->fsm, now_ms(p))) != 0) {
		if (ev == BGP_EV_CONNECT_RETRY_EXPIRES && p->conn.connecting)
			log_unanswered_connect(p);
		peer_event(p, ev, NULL);
	}
	peer_arm_timer(p);
}

/* RFC 4271 §6.8: of two connections, keep the one opened by the speaker
 * with the higher BGP Identifier. */
static bool keep_outgoing(const struct bgp_peer *p, uint32_t peer_id)
{
	return p->speaker->cfg.router_id > peer_id;
}

static void handle_open(struct bgp_peer *p, const struct bgp_msg *m)
{
	struct bgp_notice err;
	struct bgp_open o;
	struct bgp_local l = peer_local(p);

	if (bgp_open_decode(m->body, &o, &err) < 0 || bgp_negotiate(&l, &o, &p->neg, &err) < 0) {
		peer_event(p, BGP_EV_OPEN_ERR, &err);
		return;
	}
	p->peer_open = o;
	bgp_fsm_set_negotiated(&p->fsm, p->neg.hold_time * SEC, p->neg.keepalive * SEC);
	peer_event(p, BGP_EV_OPEN, NULL);
}

static void handle_notification(struct bgp_peer *p, const struct bgp_msg *m)
{
	struct bgp_notification n;
	if (bgp_notification_decode(m->body, &n) == 0) {
		log_notification(p, "received", &n);
		p->stats.last_error[0] = n.code;
		p->stats.last_error[1] = n.subcode;
		p->stats.last_error_sent = false;
		p->stats.ended_by_notification = true;
	}
	peer_event(p, BGP_EV_NOTIFICATION, NULL);
}

static void log_update_errors(struct bgp_peer *p, const struct bgp_update *u)
{
	static const char *const names[] = { "none", "attribute-discard", "treat-as-withdraw",
		                             "session-reset" };
	for (int i = 0; i < u->errors.kept; i++) {
		const struct bgp_attr_error *e = &u->errors.list[i];
		const char *attr = e->code != 0 ? bgp_attr_name(e->code) : NULL;
		peer_log(p, LOG_WARN, "malformed UPDATE, %s: %s%s%s (RFC 7606)", names[e->action],
		         attr != NULL ? attr : "", attr != NULL ? ": " : "", e->reason);
	}
}

static void handle_update(struct bgp_peer *p, const struct bgp_msg *m)
{
	struct bgp_speaker *s = p->speaker;
	struct bgp_update u;

	if (p->fsm.state != BGP_ST_ESTABLISHED) {
		peer_event(p, BGP_EV_UPDATE, NULL);
		return;
	}
	int rc = bgp_update_decode(&p->neg.ctx, m->body, s->scratch, &u);
	if (u.errors.total != 0)
		log_update_errors(p, &u);
	if (rc < 0) {
		peer_event(p, BGP_EV_UPDATE_ERR, &u.errors.notice);
		return;
	}
	peer_event(p, BGP_EV_UPDATE, NULL);
	if (p->fsm.state == BGP_ST_ESTABLISHED)
		s->ops->update(s->ctx, p, &u);
}

static void handle_route_refresh(struct bgp_peer *p, const struct bgp_msg *m)
{
	struct bgp_route_refresh rr;
	struct bgp_notice err;

	switch (bgp_route_refresh_decode(m, &rr, &err)) {
	case BGP_RR_ERROR:
		peer_event(p, BGP_EV_UPDATE_ERR, &err);
		return;
	case BGP_RR_IGNORE:
		peer_log(p, LOG_INFO, "ROUTE-REFRESH with unknown subtype %u ignored", rr.subtype);
		return;
	default:
		peer_event(p, BGP_EV_ROUTE_REFRESH, NULL);
		if (p->fsm.state == BGP_ST_ESTABLISHED)
			p->speaker->ops->route_refresh(p->speaker->ctx, p, &rr);
	}
}

static void handle_message(struct bgp_peer *p, const struct bgp_msg *m)
{
	p->stats.msgs_in[m->type]++;
	switch (m->type) {
	case BGP_MSG_OPEN:
		handle_open(p, m);
		break;
	case BGP_MSG_UPDATE:
		handle_update(p, m);
		break;
	case BGP_MSG_NOTIFICATION:
		handle_notification(p, m);
		break;
	case BGP_MSG_KEEPALIVE:
		peer_event(p, BGP_EV_KEEPALIVE, NULL);
		break;
	default:
		handle_route_refresh(p, m);
		break;
	}
}

static size_t max_message(const struct bgp_peer *p)
{
	return p->fsm.state == BGP_ST_ESTABLISHED && p->neg.ext_message ? BGP_EXT_MAX_LEN
	                                                                : BGP_MAX_LEN;
}

/* Frame and handle what the buffer holds.  The connection may close while
 * a message is handled, so check before each one. */
static void process_input(struct bgp_peer *p)
{
	struct bgp_conn *c = &p->conn;
	struct bgp_msg m;
	struct bgp_notice err;

	while (conn_is_open(c)) {
		enum bgp_frame_result r = bgp_frame(conn_unread(c), max_message(p), &m, &err);
		if (r == BGP_FRAME_NEED_MORE)
			return;
		if (r == BGP_FRAME_ERROR) {
			peer_event(p, BGP_EV_HEADER_ERR, &err);
			return;
		}
		handle_message(p, &m);
		if (conn_is_open(c))
			conn_consume(c, m.len);
	}
}

static void connect_done(struct bgp_peer *p)
{
	struct bgp_conn *c = &p->conn;
	int err = transport_connect_result(c->fd);
	if (err != 0) {
		peer_log(p, LOG_DEBUG, "connect failed: %s", strerror(err));
		conn_close(c);
		peer_event(p, BGP_EV_TCP_FAILS, NULL);
		return;
	}
	c->connecting = false;
	conn_watch(c);
	peer_event(p, BGP_EV_TCP_CONNECTED, NULL);
}

static void peer_io(struct loop_io *io, unsigned events)
{
	struct bgp_conn *c = container_of(io, struct bgp_conn, io);
	struct bgp_peer *p = c->peer;

	if (c->connecting) {
		connect_done(p);
		return;
	}
	if (events & LOOP_WRITE) {
		int left = conn_flush(c);
		if (left < 0) {
			peer_event(p, BGP_EV_TCP_FAILS, NULL);
			return;
		}
		bgp_fsm_send_blocked(&p->fsm, now_ms(p), left > 0);
		peer_arm_timer(p);
	}
	if (!(events & LOOP_READ))
		return;
	long n = conn_read(c);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		peer_log(p, LOG_INFO, "connection closed by peer%s%s", n < 0 ? ": " : "",
		         n < 0 ? strerror(errno) : "");
		peer_event(p, BGP_EV_TCP_FAILS, NULL);
		return;
	}
	process_input(p);
}

/*
 * The pending connection: accepted while the session's own connection was
 * already opening.  It sends our OPEN and reads the peer's; when that OPEN
 * arrives, collision resolution keeps one of the two (RFC 4271 §6.8).  The
 * FSM does not notice a swap: both connections have sent an OPEN.
 */
static void take_pending(struct bgp_peer *p, const struct bgp_msg *open_msg)
{
	struct bgp_notice cease;

	bgp_notice_set(&cease, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	send_notification(&p->conn, &cease);
	conn_move(&p->conn, &p->pending);
	if (p->fsm.state == BGP_ST_OPENSENT) {
		handle_message(p, open_msg);
		return;
	}
	/* OpenConfirm: the KEEPALIVE answering this OPEN went out on the
	 * dropped connection; negotiate again and answer on this one. */
	struct bgp_local l = peer_local(p);
	struct bgp_notice err;
	struct bgp_open o;
	if (bgp_open_decode(open_msg->body, &o, &err) < 0 ||
	    bgp_negotiate(&l, &o, &p->neg, &err) < 0) {
		peer_event(p, BGP_EV_OPEN_ERR, &err);
		return;
	}
	p->peer_open = o;
	send_keepalive(&p->conn);
}

static void resolve_collision(struct bgp_peer *p, const struct bgp_msg *open_msg)
{
	struct bgp_open o;
	struct bgp_notice err, cease;

	if (bgp_open_decode(open_msg->body, &o, &err) == 0 && p->fsm.state != BGP_ST_ESTABLISHED &&
	    !keep_outgoing(p, o.bgp_id)) {
		peer_log(p, LOG_INFO,
		         "connection collision: keeping the connection the peer opened");
		take_pending(p, open_msg);
		return;
	}
	peer_log(p, LOG_INFO, "connection collision: keeping the connection kbgp opened");
	bgp_notice_set(&cease, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	send_notification(&p->pending, &cease);
	conn_close(&p->pending);
}

static void pending_io(struct loop_io *io, unsigned events)
{
	struct bgp_conn *c = container_of(io, struct bgp_conn, io);
	struct bgp_msg m;
	struct bgp_notice err;

	if ((events & LOOP_WRITE) && conn_flush(c) < 0) {
		conn_close(c);
		return;
	}
	if (!(events & LOOP_READ))
		return;
	long n = conn_read(c);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		conn_close(c);
		return;
	}
	enum bgp_frame_result r = bgp_frame(conn_unread(c), BGP_MAX_LEN, &m, &err);
	if (r == BGP_FRAME_NEED_MORE)
		return;
	if (r == BGP_FRAME_ERROR || m.type != BGP_MSG_OPEN) {
		if (r != BGP_FRAME_ERROR)
			bgp_notice_set(&err, BGP_ERR_FSM, 1);
		send_notification(c, &err);
		conn_close(c);
		return;
	}
	/* Handled here, whichever connection survives: left unread, it would
	 * be read again as an OPEN in OpenConfirm (FSM error 5/2).  The bytes
	 * stay in place until the next read, so m stays valid. */
	conn_consume(c, m.len);
	resolve_collision(c->peer, &m);
}

/* An accepted connection for a known peer. */
static void peer_accept(struct bgp_peer *p, int fd)
{
	if (transport_accepted(fd, &p->cfg.addr, &p->cfg.transport) < 0)
		peer_log(p, LOG_WARN, "socket options on accepted connection: %s", strerror(errno));
	/* Backing off after an error, a peer that calls is answered at once,
	 * as FRR does: one that restarted gracefully would otherwise find us
	 * refusing it for longer than its restart time.  A peer stopped by
	 * configuration stays refused. */
	if (p->fsm.state == BGP_ST_IDLE && p->fsm.auto_restart)
		peer_event(p, BGP_EV_AUTO_START, NULL);
	switch (p->fsm.state) {
	case BGP_ST_CONNECT:
	case BGP_ST_ACTIVE:
		conn_close(&p->conn);
		conn_attach(&p->conn, fd, false, false);
		peer_event(p, BGP_EV_TCP_CONNECTED, NULL);
		return;
	case BGP_ST_OPENSENT:
	case BGP_ST_OPENCONFIRM:
		if (!conn_is_open(&p->pending)) {
			conn_attach(&p->pending, fd, false, false);
			send_open(p, &p->pending);
			return;
		}
		break;
	default:
		break;
	}
	/* Idle (down or backing off), Established, or a third connection. */
	peer_log(p, LOG_INFO, "refusing connection in state %s", bgp_state_name(p->fsm.state));
	close(fd);
}

static struct bgp_peer *dynamic_peer(struct bgp_speaker *s, const union sockaddr_any *from)
{
	struct bgp_peer *p = s->ops->dynamic_peer(s->ctx, from);
	if (p != NULL) {
		p->dynamic = true;
		peer_log(p, LOG_INFO, "dynamic neighbour accepted");
	}
	return p;
}

static void listen_io(struct loop_io *io, unsigned events)
{
	(void)events;
	struct bgp_listener *l = container_of(io, struct bgp_listener, io);
	union sockaddr_any from;
	socklen_t len = sizeof(from);
	char text[ADDR_TEXT_MAX];

	int fd = accept4(l->fd, &from.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	addr_unmap(&from);
	struct bgp_peer *p = bgp_peer_find(l->speaker, &from);
	if (p == NULL)
		p = dynamic_peer(l->speaker, &from);
	if (p == NULL) {
		const struct log_field fields[] = { { "peer", addr_text(&from, text) },
			                            { NULL, NULL } };
		log_emit(LOG_WARN, "bgp", fields, "connection from unknown address refused");
		close(fd);
		return;
	}
	peer_accept(p, fd);
}

int bgp_speaker_init(struct bgp_speaker *s, struct loop *l, const struct bgp_speaker_cfg *cfg,
                     const struct bgp_speaker_ops *ops, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->cfg = *cfg;
	s->ops = ops;
	s->ctx = ctx;
	s->scratch = malloc(sizeof(*s->scratch));
	return s->scratch != NULL ? 0 : -1;
}

int bgp_speaker_listen(struct bgp_speaker *s, const union sockaddr_any *addr)
{
	if (s->n_listen == BGP_LISTEN_MAX) {
		errno = ENOSPC;
		return -1;
	}
	int fd = transport_listen(addr);
	if (fd < 0)
		return -1;
	struct bgp_listener *l = &s->listen[s->n_listen++];
	l->speaker = s;
	l->fd = fd;
	loop_io_init(&l->io, fd, listen_io);
	loop_io_set(s->loop, &l->io, LOOP_READ);
	/* MD5 keys must be on the listening socket too, or the kernel drops
	 * the peer's signed SYNs. */
	for (struct bgp_peer *p = s->peers; p != NULL; p = p->next)
		if (p->cfg.transport.md5_key[0] != '\0')
			transport_md5(fd, &p->cfg.addr, p->cfg.transport.md5_key);
	return 0;
}

static void peer_free(struct bgp_peer *p)
{
	loop_timer_at(p->speaker->loop, &p->timer, 0);
	conn_free(&p->conn);
	conn_free(&p->pending);
	free(p);
}

void bgp_speaker_free(struct bgp_speaker *s)
{
	while (s->peers != NULL)
		bgp_peer_remove(s->peers, BGP_CEASE_ADMIN_SHUTDOWN, NULL);
	for (int i = 0; i < s->n_listen; i++) {
		loop_io_set(s->loop, &s->listen[i].io, 0);
		close(s->listen[i].fd);
	}
	free(s->scratch);
}

static void peer_md5_listeners(struct bgp_peer *p, const char *key)
{
	struct bgp_speaker *s = p->speaker;
	for (int i = 0; i < s->n_listen; i++)
		transport_md5(s->listen[i].fd, &p->cfg.addr, key);
}

struct bgp_peer *bgp_peer_add(struct bgp_speaker *s, const struct bgp_peer_cfg *cfg)
{
	struct bgp_peer *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->speaker = s;
	p->cfg = *cfg;
	struct bgp_fsm_config fc = {
		.connect_retry_ms = cfg->connect_retry * SEC,
		.hold_ms = cfg->hold_time * SEC,
		.idle_hold_min_ms = s->cfg.idle_hold_min_ms,
		.idle_hold_max_ms = s->cfg.idle_hold_max_ms,
		.passive = cfg->passive,
	};
	bgp_fsm_init(&p->fsm, &fc,
	             s->cfg.router_id ^ addr_ipv4(&cfg->addr) ^ (uint32_t)(uintptr_t)p);
	conn_init(&p->conn, p, peer_io);
	conn_init(&p->pending, p, pending_io);
	loop_timer_init(&p->timer, peer_timer);
	p->next = s->peers;
	s->peers = p;
	if (cfg->transport.md5_key[0] != '\0')
		peer_md5_listeners(p, cfg->transport.md5_key);
	if (!cfg->shutdown)
		peer_event(p, BGP_EV_MANUAL_START, NULL);
	return p;
}

struct bgp_peer *bgp_peer_find(struct bgp_speaker *s, const union sockaddr_any *addr)
{
	for (struct bgp_peer *p = s->peers; p != NULL; p = p->next)
		if (addr_equal(&p->cfg.addr, addr))
			return p;
	return NULL;
}

static void peer_stop(struct bgp_peer *p, uint8_t subcode, const char *message)
{
	struct bgp_notice cease;

	bgp_notice_set_shutdown(&cease, subcode, message != NULL ? message : "");
	if (message == NULL)
		bgp_notice_set(&cease, BGP_ERR_CEASE, subcode);
	peer_event(p, BGP_EV_MANUAL_STOP, &cease);
}

void bgp_peer_remove(struct bgp_peer *p, uint8_t subcode, const char *message)
{
	struct bgp_speaker *s = p->speaker;

	if (subcode == 0) {
		conn_close(&p->conn);
		conn_close(&p->pending);
	}
	peer_stop(p, subcode, message);
	if (p->cfg.transport.md5_key[0] != '\0')
		peer_md5_listeners(p, "");
	for (struct bgp_peer **pp = &s->peers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	peer_free(p);
}

void bgp_peer_disable(struct bgp_peer *p, const char *message)
{
	p->cfg.shutdown = true;
	peer_stop(p, BGP_CEASE_ADMIN_SHUTDOWN, message);
}

void bgp_peer_enable(struct bgp_peer *p)
{
	p->cfg.shutdown = false;
	if (p->fsm.state == BGP_ST_IDLE)
		peer_event(p, BGP_EV_MANUAL_START, NULL);
}

void bgp_peer_stop(struct bgp_peer *p, const struct bgp_notice *n, uint32_t restart_s)
{
	peer_event(p, BGP_EV_MANUAL_STOP, n);
	if (restart_s == 0)
		return;
	bgp_fsm_restart_after(&p->fsm, now_ms(p), restart_s * SEC);
	peer_arm_timer(p);
}

void bgp_peer_reset(struct bgp_peer *p, uint8_t subcode, const char *message)
{
	peer_stop(p, subcode, message);
	peer_event(p, BGP_EV_MANUAL_START, NULL);
}

int bgp_peer_send(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	if (p->fsm.state != BGP_ST_ESTABLISHED)
		return -1;
	peer_count_out(p, msg);
	if (conn_send(&p->conn, msg, len) < 0)
		return -1;
	if (p->conn.out_len > 0) {
		bgp_fsm_send_blocked(&p->fsm, now_ms(p), true);
		peer_arm_timer(p);
	}
	return 0;
}

int bgp_peer_refresh(struct bgp_peer *p, enum bgp_af af)
{
	uint8_t buf[BGP_RREFRESH_LEN];
	struct wbuf w;
	struct bgp_route_refresh rr = { .afi = bgp_af_table[af].afi,
		                        .safi = bgp_af_table[af].safi };

	if (!bgp_peer_established(p) || !p->neg.route_refresh || !(p->neg.ctx.afs & BGP_AF_BIT(af)))
		return -1;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_route_refresh_encode(&w, &rr);
	return bgp_peer_send(p, w.p, w.len);
}

bool bgp_peer_established(const struct bgp_peer *p)
{
	return p->fsm.state == BGP_ST_ESTABLISHED;
}
