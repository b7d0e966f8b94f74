/*
 * daemon_signals: stop on SIGTERM/SIGINT, reload on SIGHUP.
 */
#include <signal.h>

#include "lib/daemon_signals.h"
#include "lib/log.h"

static void on_stop(struct loop_signal *sig)
{
	struct daemon_signals *s = sig->w.signum == SIGTERM
	                                   ? container_of(sig, struct daemon_signals, term)
	                                   : container_of(sig, struct daemon_signals, intr);
	log_emit(LOG_INFO, s->subsys, NULL, "signal %d: stopping", sig->w.signum);
	s->stop(s->ctx);
	loop_break(s->loop);
}

static void on_reload(struct loop_signal *sig)
{
	struct daemon_signals *s = container_of(sig, struct daemon_signals, hup);
	s->reload(s->ctx);
}

void daemon_signals_start(struct daemon_signals *s, struct loop *l, const char *subsys,
                          void (*stop)(void *ctx), void (*reload)(void *ctx), void *ctx)
{
	s->loop = l;
	s->subsys = subsys;
	s->stop = stop;
	s->reload = reload;
	s->ctx = ctx;
	loop_signal_start(l, &s->term, SIGTERM, on_stop);
	loop_signal_start(l, &s->intr, SIGINT, on_stop);
	loop_signal_start(l, &s->hup, SIGHUP, on_reload);
}
