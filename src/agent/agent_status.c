/*
 * agent_status: the CiliumBGPNodeConfig status the agent reports (Cilium's
 * crd_status reconciler): per instance and configured peer the session
 * state with Cilium's strings, the applied timers and established time,
 * and routes received and advertised per family.  Written to the state
 * directory every 5 s, only when it changed; with reporting off, an empty
 * status is written once so nothing stale remains.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "lib/log.h"
#include "lib/sbuf.h"
#include "router/router_ctl.h"

#define STATUS_EVERY_MS    5000
#define STATUS_UNSYNCED_MS 200

static void rfc3339_ago(json_int_t seconds, char out[32])
{
	time_t t = time(NULL) - (time_t)seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *route_counts(const json_t *families)
{
	json_t *counts = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(families, i, f) json_array_append_new(
	        counts,
	        json_pack("{s:O, s:O, s:O, s:O}", "afi", json_object_get(f, "afi"), "safi",
	                  json_object_get(f, "safi"), "received", json_object_get(f, "received"),
	                  "advertised", json_object_get(f, "advertised")));
	return counts;
}

/* One peer of the control socket's `peers` answer, as Cilium reports it. */
static json_t *peer_status(const json_t *p)
{
	const char *state = json_string_value(json_object_get(p, "state"));
	json_t *s = json_pack("{s:O, s:O, s:s}", "name", json_object_get(p, "group"), "peerAddress",
	                      json_object_get(p, "address"), "peeringState",
	                      state != NULL ? state : "unknown");
	json_t *asn = json_object_get(p, "remote_asn");
	if (json_is_integer(asn))
		json_object_set(s, "peerASN", asn);
	if (state == NULL || strcmp(state, "established") != 0)
		return s;
	char since[32];
	rfc3339_ago(json_integer_value(json_object_get(p, "uptime_seconds")), since);
	json_object_set_new(s, "establishedTime", json_string(since));
	json_object_set_new(s, "timers",
	                    json_pack("{s:O, s:O}", "appliedHoldTimeSeconds",
	                              json_object_get(p, "hold_time"), "appliedKeepaliveSeconds",
	                              json_object_get(p, "keepalive")));
	json_object_set_new(s, "routeCount", route_counts(json_object_get(p, "families")));
	return s;
}

static json_t *instance_status(struct router *r)
{
	char err[256];
	json_t *answer = router_call(r, "peers", NULL, err, sizeof(err));
	json_t *inst = json_array_get(json_object_get(answer, "instances"), 0);
	json_t *peers = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(inst, "peers"), i, p)
	        json_array_append_new(peers, peer_status(p));
	json_t *s = json_pack("{s:s, s:I, s:o}", "name", r->cfg.name, "localASN",
	                      (json_int_t)r->cfg.asn, "peers", peers);
	json_decref(answer);
	return s;
}

/* Cilium's: one line per error, the whole message capped at 32 KiB. */
static json_t *reconcile_condition(const json_t *errors)
{
	static char text[32768];
	struct sbuf b;
	size_t i;
	json_t *e;
	sbuf_init(&b, text, sizeof(text));
	json_array_foreach(errors, i, e) sbuf_printf(&b, "%s\n", json_string_value(e));
	return json_pack("[{s:s, s:s, s:s, s:s}]", "type", "cilium.io/BGPReconcileError", "status",
	                 "True", "reason", "BGPReconcileError", "message", text);
}

static json_t *node_status(struct agent *a)
{
	json_t *instances = json_array();
	if (!a->status_report)
		return json_object();
	for (struct agent_instance *i = a->instances; i != NULL; i = i->next)
		json_array_insert_new(instances, 0, instance_status(&i->router));
	json_t *status = json_pack("{s:o}", "bgpInstances", instances);
	if (json_array_size(a->reconcile_errors) > 0)
		json_object_set_new(status, "conditions", reconcile_condition(a->reconcile_errors));
	return status;
}

static void patch_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct agent *a = ctx;
	(void)body, (void)len;
	a->status_call = NULL;
	if (status != 404)
		a->status_not_found = 0;
	if (status == 200)
		return;
	/* Written again at the next turn (Cilium retries too). */
	free(a->status_sent);
	a->status_sent = NULL;
	/* No NodeConfig for this node (yet, or any more): said once, not
	 * every 5 s. */
	if (status == 404 && a->status_not_found++ > 0)
		return;
	char why[64];
	snprintf(why, sizeof(why), "HTTP %ld", status);
	log_emit(LOG_WARN, "agent", NULL, "NodeConfig status not written: %s",
	         error != NULL ? error : why);
}

static const struct api_call_ops patch_ops = { .on_done = patch_done };

/* The whole status, only when it changed. */
static void patch_status(struct agent *a, json_t *status)
{
	json_t *patch = source_api_status_patch(status);
	char *text = json_dumps(patch, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(patch);
	if (text == NULL || a->status_call != NULL ||
	    (a->status_sent != NULL && strcmp(a->status_sent, text) == 0)) {
		free(text);
		return;
	}
	char path[512];
	source_api_path(a->source.api, K8S_BGP_NODE_CONFIG, NULL, path, sizeof(path));
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s/status", a->node);
	struct api_request req = { .method = "PATCH",
		                   .path = path,
		                   .body = text,
		                   .body_len = strlen(text),
		                   .content_type = SOURCE_API_JSON_PATCH };
	a->status_call = api_call_start(source_api_client(a->source.api), &req, &patch_ops, a);
	free(a->status_sent);
	a->status_sent = text;
}

/* False when there is nothing to report yet (the API not listed). */
static bool write_status(struct agent *a)
{
	if (a->source.api != NULL) {
		if (!source_api_synced(a->source.api))
			return false;
		patch_status(a, node_status(a));
		return true;
	}
	/* The socket's path tells kbgpctl where this node's agent answers. */
	char socket[PATH_MAX];
	if (realpath(a->ctl.path, socket) == NULL)
		snprintf(socket, sizeof(socket), "%s", a->ctl.path);
	json_t *obj =
	        json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:o}", "apiVersion", "cilium.io/v2", "kind",
	                  "CiliumBGPNodeConfig", "metadata", "name", a->node, "annotations",
	                  AGENT_SOCKET_ANNOTATION, socket, "status", node_status(a));
	json_t *items = json_pack("[o]", obj);
	if (state_file_write(&a->status_file, items) < 0)
		log_emit(LOG_WARN, "agent", NULL, "cannot write %s: %m", a->status_file.path);
	json_decref(items);
	return true;
}

static void on_status_timer(struct loop_timer *t)
{
	struct agent *a = container_of(t, struct agent, status_timer);
	bool written = write_status(a);
	/* Turned off, the status is cleared once; the timer still runs so
	 * that happens when the API is synced, and again after a failure. */
	loop_timer_at(a->loop, t,
	              loop_now(a->loop) + (written ? STATUS_EVERY_MS : STATUS_UNSYNCED_MS));
}

void agent_status_start(struct agent *a)
{
	char name[300];
	snprintf(name, sizeof(name), "%s.json", a->node);
	loop_timer_init(&a->status_timer, on_status_timer);
	if (a->source.api == NULL && state_file_init(&a->status_file, a->status_dir, name) < 0) {
		log_emit(LOG_WARN, "agent", NULL, "no status reports in %s: %m", a->status_dir);
		return;
	}
	loop_timer_at(a->loop, &a->status_timer, loop_now(a->loop) + 1);
}

void agent_status_stop(struct agent *a)
{
	loop_timer_at(a->loop, &a->status_timer, 0);
	state_file_free(&a->status_file);
	api_call_cancel(a->status_call);
	a->status_call = NULL;
	free(a->status_sent);
	a->status_sent = NULL;
}
