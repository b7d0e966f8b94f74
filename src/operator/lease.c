/*
 * lease: leader election over a coordination.k8s.io/v1 Lease, as
 * client-go's leaderelection does it, so two operator replicas can run and
 * one writes.  Every RETRY_MS the Lease is read; a replica takes it when
 * it is free or its holder has not renewed it for its whole duration (as
 * observed here, so clocks need not agree), and the holder renews it.  A
 * holder that cannot renew for RENEW_DEADLINE_MS stops writing before the
 * others may take over.  Writes carry the resourceVersion read, so two
 * replicas never both win (409).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#include "lib/log.h"
#include "operator/lease.h"

#define DURATION_S        15
#define RENEW_DEADLINE_MS 10000
#define RETRY_MS          2000

static void micro_time(char out[40])
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%06ldZ", (long)tv.tv_usec);
}

static void set_held(struct lease *l, bool held)
{
	if (l->held == held)
		return;
	l->held = held;
	log_emit(held ? LOG_INFO : LOG_WARN, "operator", NULL, "%s the lease %s/%s as %s",
	         held ? "holding" : "lost", l->ns, l->name, l->identity);
	if (l->changed != NULL)
		l->changed(l->ctx);
}

static void path_of(const struct lease *l, char *out, size_t cap, bool item)
{
	snprintf(out, cap, "/apis/coordination.k8s.io/v1/namespaces/%s/leases%s%s", l->ns,
	         item ? "/" : "", item ? l->name : "");
}

static void write_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct lease *l = ctx;
	(void)body, (void)len, (void)error;
	l->call = NULL;
	if (status == 200 || status == 201) {
		l->renewed_at = loop_now(l->loop);
		set_held(l, true);
	} else if (status == 409) {
		set_held(l, false); /* another replica wrote first */
	}
}

static const struct api_call_ops write_ops = { .on_done = write_done };

/* Create it, or take or renew it on top of the version read. */
static void claim(struct lease *l, const json_t *have)
{
	char path[300], now[40];
	micro_time(now);
	const json_t *spec = json_object_get(have, "spec");
	const char *holder = json_string_value(json_object_get(spec, "holderIdentity"));
	bool mine = holder != NULL && strcmp(holder, l->identity) == 0;
	json_int_t transitions = json_integer_value(json_object_get(spec, "leaseTransitions"));
	const char *acquired = json_string_value(json_object_get(spec, "acquireTime"));
	json_t *lease = json_pack(
	        "{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:i, s:s, s:s, s:I}}", "apiVersion",
	        "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name", l->name, "namespace",
	        l->ns, "spec", "holderIdentity", l->identity, "leaseDurationSeconds", DURATION_S,
	        "acquireTime", mine && acquired != NULL ? acquired : now, "renewTime", now,
	        "leaseTransitions", (json_int_t)(have == NULL ? 0 : transitions + (mine ? 0 : 1)));
	const json_t *rv = json_object_get(json_object_get(have, "metadata"), "resourceVersion");
	if (rv != NULL)
		json_object_set(json_object_get(lease, "metadata"), "resourceVersion",
		                (json_t *)rv);
	char *text = json_dumps(lease, JSON_COMPACT);
	json_decref(lease);
	path_of(l, path, sizeof(path), have != NULL);
	struct api_request req = { .method = have != NULL ? "PUT" : "POST",
		                   .path = path,
		                   .body = text,
		                   .body_len = text != NULL ? strlen(text) : 0,
		                   .content_type = "application/json" };
	if (text != NULL)
		l->call = api_call_start(l->client, &req, &write_ops, l);
	free(text);
}

/* The record changed since we last looked: its holder is alive. */
static bool observed_change(struct lease *l, const json_t *spec)
{
	char *seen = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	bool changed = seen != NULL && (l->seen == NULL || strcmp(seen, l->seen) != 0);
	if (changed) {
		free(l->seen);
		l->seen = seen;
		l->seen_at = loop_now(l->loop);
	} else {
		free(seen);
	}
	return changed;
}

static void read_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct lease *l = ctx;
	(void)error;
	l->call = NULL;
	if (status == 404) {
		claim(l, NULL);
		return;
	}
	json_t *have = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (have == NULL)
		return;
	const json_t *spec = json_object_get(have, "spec");
	const char *holder = json_string_value(json_object_get(spec, "holderIdentity"));
	observed_change(l, spec);
	bool free_now = holder == NULL || holder[0] == '\0' ||
	                loop_now(l->loop) - l->seen_at > DURATION_S * 1000u;
	if ((holder != NULL && strcmp(holder, l->identity) == 0) || free_now)
		claim(l, have);
	else
		set_held(l, false);
	json_decref(have);
}

static const struct api_call_ops read_ops = { .on_done = read_done };

static void on_tick(struct loop_timer *t)
{
	struct lease *l = container_of(t, struct lease, timer);
	char path[300];
	if (l->held && loop_now(l->loop) - l->renewed_at > RENEW_DEADLINE_MS)
		set_held(l, false);
	if (l->call == NULL) {
		path_of(l, path, sizeof(path), true);
		struct api_request req = { .method = "GET", .path = path };
		l->call = api_call_start(l->client, &req, &read_ops, l);
	}
	loop_timer_at(l->loop, t, loop_now(l->loop) + RETRY_MS);
}

void lease_start(struct lease *l, struct loop *loop, struct api_client *c, const char *ns,
                 const char *name, const char *identity, void (*changed)(void *ctx), void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->enabled = true;
	l->loop = loop;
	l->client = c;
	snprintf(l->ns, sizeof(l->ns), "%s", ns);
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->identity, sizeof(l->identity), "%s", identity);
	l->changed = changed;
	l->ctx = ctx;
	loop_timer_init(&l->timer, on_tick);
	loop_timer_at(loop, &l->timer, loop_now(loop) + 1);
}

bool lease_held(const struct lease *l)
{
	return !l->enabled || l->held;
}

void lease_stop(struct lease *l)
{
	if (!l->enabled)
		return;
	loop_timer_at(l->loop, &l->timer, 0);
	api_call_cancel(l->call);
	l->call = NULL;
	free(l->seen);
	l->seen = NULL;
	l->enabled = false;
}
