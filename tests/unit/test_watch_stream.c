/*
 * watch_stream: watch bodies cut at every byte boundary decode as when fed
 * whole; several events per chunk, CRLF, no final newline, braces and
 * escapes inside strings, split UTF-8, the event size bound, broken
 * streams, 410 Expired, bookmarks; LIST bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "k8s/watch_stream.h"

/* A watch on Services as the API server writes it: an annotation with
 * braces, quotes and backslashes, a label in three scripts, a bookmark, a
 * deletion and the 410 that ends a watch whose resourceVersion is too old. */
static const char stream[] =
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":"
        "\"6f1c2a9e-3b1d-4c55-9a53-0d8e5b1f2c11\",\"resourceVersion\":\"1001\","
        "\"labels\":{\"site\":\"z\xc3\xbcrich-\xe2\x82\xac-\xf0\x9f\x9a\x80\"},"
        "\"annotations\":{\"note\":\"{\\\"a\\\": [1, \\\"}\\\"]} \\\\\"}},"
        "\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]},"
        "\"status\":{\"loadBalancer\":{}}}}\n"
        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"resourceVersion\":\"1002\"},"
        "\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"172.31.1.200\"}]}}}}\n"
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\","
        "\"metadata\":{\"resourceVersion\":\"1010\",\"annotations\":"
        "{\"k8s.io/initial-events-end\":\"true\"}}}}\n"
        "{\"type\":\"DELETED\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"resourceVersion\":\"1011\"}}}\n"
        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
        "\"status\":\"Failure\",\"message\":\"too old resource version: 1001 (1011)\","
        "\"reason\":\"Expired\",\"code\":410}}\n";

/* What a stream decoded to, as text: one line per event. */
struct record {
	char text[1 << 16];
	size_t len;
	unsigned events;
};

static const char *const names[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR" };

static void record_event(void *ctx, const struct watch_event *e)
{
	struct record *r = ctx;
	char *object = json_dumps(e->object, JSON_COMPACT | JSON_SORT_KEYS);
	int n;

	assert_non_null(object);
	n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s rv=%s code=%d %s %s %s\n",
	             names[e->type], e->resource_version ? e->resource_version : "-",
	             e->status_code, e->reason ? e->reason : "-", e->message ? e->message : "-",
	             object);
	assert_true(n > 0 && (size_t)n < sizeof(r->text) - r->len);
	r->len += (size_t)n;
	r->events++;
	free(object);
}

/* Feed text in pieces cut at cuts[] (ascending); returns the last result. */
static int feed_cut(struct record *r, size_t max_event, const char *text, size_t len,
                    const size_t *cuts, size_t n_cuts, struct watch_stream *s)
{
	size_t at = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	watch_stream_init(s, max_event, record_event, r);
	for (size_t i = 0; i <= n_cuts && rc == 0; i++) {
		size_t end = i < n_cuts ? cuts[i] : len;
		rc = watch_stream_feed(s, text + at, end - at);
		at = end;
	}
	return rc;
}

static struct record *decode_whole(const char *text, size_t len)
{
	static struct record r;
	struct watch_stream s;

	assert_int_equal(feed_cut(&r, 0, text, len, NULL, 0, &s), 0);
	assert_false(watch_stream_pending(&s));
	watch_stream_free(&s);
	return &r;
}

static void assert_cut_same(const struct record *want, const char *text, size_t len,
                            const size_t *cuts, size_t n_cuts)
{
	static struct record got;
	struct watch_stream s;

	assert_int_equal(feed_cut(&got, 0, text, len, cuts, n_cuts, &s), 0);
	watch_stream_free(&s);
	if (got.len != want->len || memcmp(got.text, want->text, got.len) != 0)
		fail_msg("cut at %zu (+%zu more): got\n%.*s\nwant\n%.*s", n_cuts ? cuts[0] : 0,
		         n_cuts, (int)got.len, got.text, (int)want->len, want->text);
}

static void test_event_fields(void **state)
{
	(void)state;
	struct record *r = decode_whole(stream, sizeof(stream) - 1);
	const char *line = r->text;

	assert_int_equal(r->events, 5);
	assert_memory_equal(line, "ADDED rv=1001 code=0 - - {", 26);
	assert_non_null(
	        strstr(r->text, "\"site\":\"z\xc3\xbcrich-\xe2\x82\xac-\xf0\x9f\x9a\x80\""));
	assert_non_null(strstr(r->text, "\"note\":\"{\\\"a\\\": [1, \\\"}\\\"]} \\\\\""));
	assert_non_null(strstr(r->text, "\nMODIFIED rv=1002 code=0 - - {"));
	assert_non_null(strstr(r->text, "\nBOOKMARK rv=1010 code=0 - - {"));
	assert_non_null(strstr(r->text, "\nDELETED rv=1011 code=0 - - {"));
	assert_non_null(strstr(r->text, "\nERROR rv=- code=410 Expired too old resource version: "
	                                "1001 (1011) {"));
}

static void test_every_split_point(void **state)
{
	(void)state;
	const size_t len = sizeof(stream) - 1;
	struct record want = *decode_whole(stream, len);

	for (size_t i = 0; i <= len; i++) {
		size_t one[1] = { i };
		assert_cut_same(&want, stream, len, one, 1);
		/* Two cuts close together: both halves of a UTF-8 sequence,
		 * an escape and its character, in separate chunks. */
		for (size_t k = 1; k <= 3 && i + k <= len; k++) {
			size_t two[2] = { i, i + k };
			assert_cut_same(&want, stream, len, two, 2);
		}
	}
}

static void test_one_byte_chunks(void **state)
{
	(void)state;
	const size_t len = sizeof(stream) - 1;
	struct record want = *decode_whole(stream, len);
	static size_t cuts[sizeof(stream)];

	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	assert_cut_same(&want, stream, len, cuts, len - 1);
}

/* CRLF, blank lines, white space around objects, two on one line and no
 * final newline: the same events. */
static void test_tolerant_framing(void **state)
{
	(void)state;
	const char *lf =
	        "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}}\n"
	        "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"resourceVersion\":\"2\"}}}"
	        "\n";
	const char *odd = "\r\n  {\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":"
	                  "\"1\"}}}\r\n\r\n\t{\"type\":\"DELETED\",\"object\":{\"metadata\":"
	                  "{\"resourceVersion\":\"2\"}}}";
	const char *one_line = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":"
	                       "\"1\"}}}{\"type\":\"DELETED\",\"object\":{\"metadata\":"
	                       "{\"resourceVersion\":\"2\"}}}";
	struct record want = *decode_whole(lf, strlen(lf));

	assert_int_equal(want.events, 2);
	for (size_t i = 0; i <= strlen(odd); i++)
		assert_cut_same(&want, odd, strlen(odd), &i, 1);
	for (size_t i = 0; i <= strlen(one_line); i++)
		assert_cut_same(&want, one_line, strlen(one_line), &i, 1);
}

/* The last brace completes an event: nothing waits for a newline. */
static void test_event_ends_at_its_brace(void **state)
{
	(void)state;
	const char *ev =
	        "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"7\"}}}";
	struct watch_stream s;
	struct record r = { .len = 0 };

	watch_stream_init(&s, 0, record_event, &r);
	assert_int_equal(watch_stream_feed(&s, ev, strlen(ev) - 1), 0);
	assert_int_equal(r.events, 0);
	assert_true(watch_stream_pending(&s));
	assert_int_equal(watch_stream_feed(&s, "}", 1), 0);
	assert_int_equal(r.events, 1);
	assert_false(watch_stream_pending(&s));

	/* A connection cut mid-event: reset, and the next one starts clean. */
	assert_int_equal(watch_stream_feed(&s, ev, 20), 0);
	assert_true(watch_stream_pending(&s));
	watch_stream_reset(&s);
	assert_false(watch_stream_pending(&s));
	assert_int_equal(watch_stream_feed(&s, ev, strlen(ev)), 0);
	assert_int_equal(r.events, 2);
	watch_stream_free(&s);
}

/* An event of n bytes: padding in an annotation. */
static char *event_of_size(size_t n, const char *rv)
{
	const char *head = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"";
	char *ev = malloc(n + 1);
	size_t fixed = strlen(head) + strlen(rv) + strlen("\",\"p\":\"\"}}}");

	assert_non_null(ev);
	assert_true(n > fixed);
	snprintf(ev, n + 1, "%s%s\",\"p\":\"%0*d\"}}}", head, rv, (int)(n - fixed), 0);
	assert_int_equal(strlen(ev), n);
	return ev;
}

static void test_event_size_bound(void **state)
{
	(void)state;
	const size_t max = 300;
	char *fits = event_of_size(max, "1"), *big = event_of_size(max + 1, "2");
	struct watch_stream s;
	struct record r = { .len = 0 };

	watch_stream_init(&s, max, record_event, &r);
	assert_int_equal(watch_stream_feed(&s, fits, max), 0);
	assert_int_equal(r.events, 1);
	/* Refused at the byte that makes it too big, whole or byte by byte. */
	assert_int_equal(watch_stream_feed(&s, big, max + 1), -1);
	assert_string_equal(s.error, "event larger than 300 bytes");
	assert_false(watch_stream_pending(&s));
	for (size_t i = 0; i < max - 1; i++)
		assert_int_equal(watch_stream_feed(&s, big + i, 1), 0);
	assert_int_equal(watch_stream_feed(&s, big + max - 1, 1), -1);
	assert_true(s.cap <= max);
	/* The stream was reset: a good event after it decodes. */
	assert_int_equal(watch_stream_feed(&s, fits, max), 0);
	assert_int_equal(r.events, 2);
	watch_stream_free(&s);
	free(fits);
	free(big);
}

/* Events before the broken one are delivered; the feed says why it broke. */
static void assert_broken(const char *text, unsigned events_before, const char *error)
{
	struct watch_stream s;
	struct record r = { .len = 0 };

	watch_stream_init(&s, 0, record_event, &r);
	assert_int_equal(watch_stream_feed(&s, text, strlen(text)), -1);
	assert_int_equal(r.events, events_before);
	assert_string_equal(s.error, error);
	assert_false(watch_stream_pending(&s));
	watch_stream_free(&s);
}

#define GOOD "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}}\n"

static void test_broken_streams(void **state)
{
	(void)state;

	assert_broken(GOOD "{\"type\":\"ADDED\",\"object\":{\"a\":}}\n", 1,
	              "event is not JSON: column 31: unexpected token near '}'");
	assert_broken(GOOD "{\"type\":\"ADDED\",\"object\":{\"a\":\"\xff\"}}\n", 1,
	              "event is not JSON: column 31: unable to decode byte 0xff near '\"'");
	assert_broken(GOOD "x" GOOD, 1, "expected an event object, got byte 0x78");
	assert_broken("[1]\n", 0, "expected an event object, got byte 0x5b");
	assert_broken("{\"object\":{}}", 0, "event without a \"type\" string");
	assert_broken("{\"type\":\"RESYNC\",\"object\":{}}", 0, "unknown event type \"RESYNC\"");
	assert_broken("{\"type\":\"ADDED\",\"object\":[]}", 0,
	              "ADDED event without an \"object\" mapping");
	assert_broken("{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}", 0,
	              "MODIFIED event without object.metadata.resourceVersion");
	/* Unbalanced in a way the scanner cannot see: jansson can. */
	assert_broken("{\"type\":\"ADDED\",\"object\":{\"a\":[}]}", 0,
	              "event is not JSON: column 32: unexpected token near '}'");
}

static void test_expired_and_bookmark(void **state)
{
	(void)state;
	static const char text[] =
	        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
	        "\"metadata\":{\"resourceVersion\":\"5533\"}}}\n"
	        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
	        "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: "
	        "4000 (5533)\",\"reason\":\"Expired\",\"code\":410}}\n"
	        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":\"bad\"}}\n";
	struct record *r = decode_whole(text, sizeof(text) - 1);

	assert_int_equal(r->events, 3);
	assert_non_null(strstr(r->text, "BOOKMARK rv=5533 code=0 - - {"));
	assert_non_null(strstr(r->text, "\nERROR rv=- code=410 Expired too old resource version: "
	                                "4000 (5533) {"));
	/* A Status without a usable code: 0, never a guess. */
	assert_non_null(strstr(r->text, "\nERROR rv=- code=0 - - {"));
}

/* ---- LIST ---- */

struct items {
	unsigned n;
	char names[4][32];
};

static void record_item(void *ctx, json_t *item)
{
	struct items *it = ctx;
	const char *name =
	        json_string_value(json_object_get(json_object_get(item, "metadata"), "name"));

	assert_true(it->n < 4);
	snprintf(it->names[it->n++], sizeof(it->names[0]), "%s", name ? name : "?");
}

static int list(const char *body, struct items *it, char *rv, size_t rv_cap, char *err)
{
	memset(it, 0, sizeof(*it));
	return watch_list_decode(body, strlen(body), record_item, it, rv, rv_cap, err, 200);
}

static void test_list_decode(void **state)
{
	(void)state;
	struct items it;
	char rv[32], small[4], err[200];

	assert_int_equal(list("{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":"
	                      "{\"resourceVersion\":\"5533\"},\"items\":[{\"metadata\":{\"name\":"
	                      "\"n1\"}},{\"metadata\":{\"name\":\"n2\"}}]}",
	                      &it, rv, sizeof(rv), err),
	                 0);
	assert_int_equal(it.n, 2);
	assert_string_equal(it.names[0], "n1");
	assert_string_equal(it.names[1], "n2");
	assert_string_equal(rv, "5533");

	/* An empty list, as Go writes a nil slice. */
	assert_int_equal(list("{\"kind\":\"ServiceList\",\"metadata\":{\"resourceVersion\":\"9\"},"
	                      "\"items\":null}",
	                      &it, rv, sizeof(rv), err),
	                 0);
	assert_int_equal(it.n, 0);
	assert_string_equal(rv, "9");

	assert_int_equal(list("{\"kind\":\"Status\",\"code\":410}", &it, rv, sizeof(rv), err), -1);
	assert_string_equal(err, "not a list (kind \"Status\")");
	assert_int_equal(list("{\"items\":[]}", &it, rv, sizeof(rv), err), -1);
	assert_string_equal(err, "list without metadata.resourceVersion");
	assert_int_equal(list("{\"metadata\":{\"resourceVersion\":\"12345\"},\"items\":[]}", &it,
	                      small, sizeof(small), err),
	                 -1);
	assert_string_equal(err, "resourceVersion longer than 3 bytes");
	assert_int_equal(list("{\"metadata\":{\"resourceVersion\":\"1\",\"continue\":\"eyJ2\"},"
	                      "\"items\":[]}",
	                      &it, rv, sizeof(rv), err),
	                 -1);
	assert_string_equal(err, "paginated list (metadata.continue is set)");
	/* Checked before any item is handed on. */
	assert_int_equal(list("{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[{},2]}", &it,
	                      rv, sizeof(rv), err),
	                 -1);
	assert_string_equal(err, "items[1] is not an object");
	assert_int_equal(it.n, 0);
	assert_int_equal(list("{\"items\":", &it, rv, sizeof(rv), err), -1);
	assert_string_equal(err, "list is not JSON: line 1 column 9: unexpected token near end of "
	                         "file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_every_split_point),
		cmocka_unit_test(test_one_byte_chunks),
		cmocka_unit_test(test_tolerant_framing),
		cmocka_unit_test(test_event_ends_at_its_brace),
		cmocka_unit_test(test_event_size_bound),
		cmocka_unit_test(test_broken_streams),
		cmocka_unit_test(test_expired_and_bookmark),
		cmocka_unit_test(test_list_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
