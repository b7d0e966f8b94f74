/*
 * router: the `kbgpd router` role, the part FRR plays in the seed lab:
 * peer groups with fixed and dynamic neighbours, `network` statements,
 * and (with the RIB and FIB issues) best paths, multipath and the kernel.
 */
#ifndef KBGP_ROUTER_ROUTER_H
#define KBGP_ROUTER_ROUTER_H

#include "bgp/session.h"
#include "ctl/http.h"
#include "ctl/server.h"
#include "fib/fib.h"
#include "lib/daemon_signals.h"
#include "lib/loop.h"
#include "rib/rib.h"
#include "router/config.h"

struct router {
	struct loop *loop;
	struct router_config cfg;
	struct bgp_speaker speaker;
	struct rib rib;
	struct rib_source self; /* the router's own routes (networks) */
	struct loop_idle work;  /* Adj-RIB-Out flushes left for later slices */
	const char *run_dir;    /* the graceful-restart marker (bgp/gr_marker) */
	/* Until the peers have sent End-of-RIB or the deferral timer fires,
	 * the routing table is converging: a previous run's kernel routes
	 * stay; back from a graceful stop, nothing is advertised either
	 * (deferring, RFC 4724 §4.1). */
	bool converging, deferring;
	struct loop_timer deferral_timer;
	bool fib_on; /* fib.install */
	struct fib fib;
	/* The import check of `networks`: asked of the kernel at start, at
	 * reload and every few seconds. */
	struct nl_sock probe;
	struct loop_timer network_timer;
	bool networks_checked;   /* once: every network's state is logged */
	const char *socket_path; /* control socket, NULL: <run_dir>/<name>.sock */
	struct ctl_server ctl;
	const char *metrics_addr; /* ADDR:PORT of /metrics, NULL: none */
	struct http_server metrics;
	unsigned long reload_errors;
	struct loop_timer lag_timer;  /* measures how late the loop runs */
	struct loop_timer reap_timer; /* dynamic neighbours whose session ended */
	uint64_t lag_deadline, loop_lag_ms;
	struct daemon_signals signals;
};

/* Takes ownership of cfg; run_dir must outlive r.  -1 (with a log line)
 * if a listener fails. */
int router_start(struct router *r, struct loop *l, struct router_config *cfg, const char *run_dir,
                 const char *socket_path, const char *metrics_addr);
void router_stop(struct router *r);
/* The BGP engine alone (sessions, RIB, kernel), for roles that embed one
 * router per BGP instance: no control socket, metrics or signals.  Takes
 * ownership of cfg. */
int router_engine_start(struct router *r, struct loop *l, struct router_config *cfg,
                        const char *run_dir);
/* graceful: stopping to restart (with graceful restart configured, peers
 * keep the routes and so does the kernel); otherwise every peer gets a
 * Cease and the kernel routes go. */
void router_engine_stop(struct router *r, bool graceful);
/* Diff next against the running configuration and swap it in (next is
 * taken): peers added, removed, restarted or re-exported as needed. */
void router_apply(struct router *r, struct router_config *next);
/* Re-read the configuration: parse, diff, swap.  NULL, or the errors
 * (to free) when the file was refused and the running one kept. */
char *router_reload(struct router *r);
/* `kbgpd router -c FILE [--run-dir DIR] [-v] [--log-json]` */
int router_main(int argc, char **argv);

#endif
