/*
 * fuzz_watch: a watch body fed in chunks must decode exactly as when fed at
 * once: the same events in the same order, and, when the stream breaks, at
 * the same event for the same reason.  The input's first bytes choose the
 * chunk sizes and the event size bound; the rest is the body.  The body is
 * also decoded as a LIST response.  Leaks are LeakSanitizer's to find.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "k8s/watch_stream.h"

#define N_SIZES 8
#define HEADER  (N_SIZES + 1)

/* One run of the decoder over a body: what it delivered, and how it ended. */
struct outcome {
	FILE *trace;
	char *text;
	size_t len;
	int rc;
	bool pending;
	char error[sizeof(((struct watch_stream *)0)->error)];
};

static void trace_event(void *ctx, const struct watch_event *e)
{
	struct outcome *o = ctx;
	char *object = json_dumps(e->object, JSON_COMPACT | JSON_SORT_KEYS);

	FUZZ_CHECK(e->type <= WATCH_ERROR);
	FUZZ_CHECK(json_is_object(e->object) && object != NULL);
	FUZZ_CHECK((e->resource_version != NULL) == (e->type != WATCH_ERROR));
	FUZZ_CHECK(e->status_code == 0 || (e->status_code >= 100 && e->status_code <= 999));
	fprintf(o->trace, "%d %s %d %s %s %s\n", (int)e->type,
	        e->resource_version ? e->resource_version : "-", e->status_code,
	        e->reason ? e->reason : "-", e->message ? e->message : "-", object);
	free(object);
}

/* A chunk size from a byte: mostly small, sometimes everything left. */
static size_t chunk_size(uint8_t b, size_t left)
{
	size_t n = b >= 0xf0 ? left : 1 + b % 64u;

	return n < left ? n : left;
}

static void run(const uint8_t *sizes, const char *body, size_t len, size_t max_event,
                struct outcome *o)
{
	struct watch_stream s;
	size_t at = 0;

	o->trace = open_memstream(&o->text, &o->len);
	FUZZ_CHECK(o->trace != NULL);
	watch_stream_init(&s, max_event, trace_event, o);
	o->rc = 0;
	for (unsigned i = 0; at < len && o->rc == 0; i++) {
		size_t n = sizes != NULL ? chunk_size(sizes[i % N_SIZES], len - at) : len - at;
		o->rc = watch_stream_feed(&s, body + at, n);
		at += n;
		FUZZ_CHECK(s.cap <= s.max_event);
	}
	o->pending = watch_stream_pending(&s);
	memcpy(o->error, s.error, sizeof(o->error));
	watch_stream_free(&s);
	FUZZ_CHECK(fclose(o->trace) == 0);
}

static void count_item(void *ctx, json_t *item)
{
	FUZZ_CHECK(json_is_object(item));
	++*(size_t *)ctx;
}

static void check_list(const char *body, size_t len)
{
	char rv[64], err[200];
	size_t items = 0;

	if (watch_list_decode(body, len, count_item, &items, rv, sizeof(rv), err, sizeof(err)) == 0)
		FUZZ_CHECK(strlen(rv) < sizeof(rv));
	else
		FUZZ_CHECK(items == 0 && err[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole = { 0 }, cut = { 0 };

	if (size < HEADER)
		return 0;
	const char *body = (const char *)data + HEADER;
	size_t len = size - HEADER, max_event = (size_t)64 << (data[N_SIZES] % 10);

	run(NULL, body, len, max_event, &whole);
	run(data, body, len, max_event, &cut);
	FUZZ_CHECK(cut.rc == whole.rc);
	FUZZ_CHECK(cut.len == whole.len && memcmp(cut.text, whole.text, cut.len) == 0);
	FUZZ_CHECK(cut.rc == 0 ? cut.pending == whole.pending
	                       : strcmp(cut.error, whole.error) == 0 && !cut.pending);
	free(whole.text);
	free(cut.text);
	check_list(body, len);
	return 0;
}
