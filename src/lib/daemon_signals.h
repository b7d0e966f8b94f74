/*
 * daemon_signals: what every kbgpd role does with signals: SIGTERM and
 * SIGINT stop it (the role's stop function, then the loop ends), SIGHUP
 * re-reads its inputs.
 */
#ifndef KBGP_LIB_DAEMON_SIGNALS_H
#define KBGP_LIB_DAEMON_SIGNALS_H

#include "lib/loop.h"

struct daemon_signals {
	struct loop *loop;
	const char *subsys; /* of the log line */
	void (*stop)(void *ctx);
	void (*reload)(void *ctx);
	void *ctx;
	struct loop_signal term, intr, hup;
};

void daemon_signals_start(struct daemon_signals *s, struct loop *l, const char *subsys,
                          void (*stop)(void *ctx), void (*reload)(void *ctx), void *ctx);

#endif
