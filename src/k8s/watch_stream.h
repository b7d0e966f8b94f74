/*
 * watch_stream: the body of a Kubernetes watch response cut into events and
 * decoded, and the body of a LIST response.  Pure: bytes in, callbacks out.
 *
 * The API server writes one JSON object per line, {"type": ..., "object":
 * {...}}.  The framer does not rely on the newlines: it follows the JSON
 * structure (braces outside strings), so bytes may arrive in any chunks (one
 * byte, half a UTF-8 sequence, several events at once), lines may end in
 * \r\n or not at all, and an object ends the moment its last brace arrives.
 * Only white space may come between objects.  An event larger than
 * max_event is refused at the byte that makes it too big: the buffer never
 * holds more than max_event bytes, however large the chunks fed.
 *
 * Any error (too big, bad JSON, not an event) means the stream can no longer
 * be trusted: watch_stream_feed() returns -1, says why in s->error, and the
 * stream is reset; the caller restarts the watch (relist if needed).
 */
#ifndef KBGP_K8S_WATCH_STREAM_H
#define KBGP_K8S_WATCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define WATCH_MAX_EVENT_DEFAULT (16u << 20)

enum watch_type { WATCH_ADDED, WATCH_MODIFIED, WATCH_DELETED, WATCH_BOOKMARK, WATCH_ERROR };

/* Everything points into the decoded event, which is freed when the
 * callback returns: json_incref(object) to keep it. */
struct watch_event {
	enum watch_type type;
	json_t *object;
	/* object.metadata.resourceVersion; never NULL but for ERROR */
	const char *resource_version;
	/* ERROR only, from the Status object (code 410, reason "Expired": the
	 * resourceVersion is too old, relist); 0 and NULL otherwise */
	int status_code;
	const char *reason;
	const char *message;
};

typedef void watch_event_fn(void *ctx, const struct watch_event *e);

struct watch_stream {
	size_t max_event;
	watch_event_fn *on_event;
	void *ctx;
	char error[200]; /* why the last feed returned -1 */

	/* private: bytes of the event being received, and the scanner over them */
	char *buf;
	size_t len, cap;
	size_t scanned; /* bytes of buf already scanned */
	size_t depth;   /* open braces and brackets */
	bool in_string; /* inside a JSON string */
	bool escaped;   /* after a backslash in a string */
};

/* max_event 0: WATCH_MAX_EVENT_DEFAULT. */
void watch_stream_init(struct watch_stream *s, size_t max_event, watch_event_fn *on_event,
                       void *ctx);
/* Hand each event completed by these bytes to on_event, which must not
 * feed, reset or free the stream; 0, or -1 when the stream is broken
 * (s->error says why; the stream has been reset). */
int watch_stream_feed(struct watch_stream *s, const char *data, size_t len);
/* Forget a partly received event: a new connection starts clean. */
void watch_stream_reset(struct watch_stream *s);
void watch_stream_free(struct watch_stream *s);
/* Whether a partly received event is pending (a connection cut mid-event). */
bool watch_stream_pending(const struct watch_stream *s);

/* A LIST response: on_item for each of items[] (borrowed, as above) and the
 * list's metadata.resourceVersion into rv, where the watch starts.  0, or -1
 * with err filled: not JSON, not a list, an item not an object, a paginated
 * list (metadata.continue set: do not send limit=), rv too long. */
int watch_list_decode(const char *body, size_t len, void (*on_item)(void *ctx, json_t *item),
                      void *ctx, char *rv, size_t rv_cap, char *err, size_t err_len);

#endif
