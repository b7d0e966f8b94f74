/*
 * log: one line per event on stderr, logfmt by default
 * (`ts=... level=info subsys=bgp peer=10.0.0.1 msg="..."`), JSON by option.
 * Callers pass the subsystem, then fields, then a message.
 */
#ifndef KBGP_LIB_LOG_H
#define KBGP_LIB_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

struct log_field {
	const char *key;
	const char *value;
};

void log_set_level(enum log_level level);
/* Whether a line of this level would be written: check it before formatting
 * anything on a hot path. */
bool log_enabled(enum log_level level);
void log_set_json(bool json);
/* Fields end with a { NULL, NULL } entry; fields may be NULL. */
void log_emit(enum log_level level, const char *subsys, const struct log_field *fields,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
