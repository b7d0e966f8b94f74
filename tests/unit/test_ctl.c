/*
 * The control protocol: a request gets its command's result; anything
 * else gets an error that says what was wrong, and only a line that is not
 * a version-1 request ends the connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/request.h"
#include "ctl/yaml_out.h"

static json_t *echo(void *ctx, const json_t *args, char *err, size_t err_len)
{
	(void)ctx;
	if (json_object_get(args, "fail") != NULL) {
		snprintf(err, err_len, "asked to fail");
		return NULL;
	}
	return json_deep_copy(args);
}

static const struct ctl_command commands[] = {
	{ "peers", echo },
	{ "routes", echo },
	{ NULL, NULL },
};

/* The answer to line as a JSON object, and whether it was fatal. */
static json_t *ask(const char *line, int *fatal)
{
	char *answer = ctl_answer(commands, NULL, line, strlen(line), fatal);
	assert_non_null(answer);
	size_t n = strlen(answer);
	assert_true(n > 0 && answer[n - 1] == '\n');
	assert_null(memchr(answer, '\n', n - 1)); /* one line */
	json_t *j = json_loads(answer, 0, NULL);
	free(answer);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "kbgp")), 1);
	return j;
}

static void expect_error(const char *line, const char *want, int want_fatal)
{
	int fatal;
	json_t *j = ask(line, &fatal);
	assert_false(json_is_true(json_object_get(j, "ok")));
	const char *error = json_string_value(json_object_get(j, "error"));
	if (error == NULL || strstr(error, want) == NULL)
		fail_msg("answer to %s: \"%s\", wanted \"%s\"", line, error ? error : "(none)",
		         want);
	assert_int_equal(fatal, want_fatal);
	json_decref(j);
}

static void test_result(void **state)
{
	(void)state;
	int fatal;
	json_t *j = ask("{\"kbgp\":1,\"command\":\"routes\",\"args\":{\"afi\":\"ipv6\"}}", &fatal);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "result"), "afi")),
	                    "ipv6");
	assert_int_equal(fatal, 0);
	json_decref(j);
	j = ask("{\"kbgp\":1,\"command\":\"peers\"}", &fatal);
	assert_true(json_is_object(json_object_get(j, "result")));
	json_decref(j);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"kbgp\":1,\"command\":\"peer\"}",
	             "unknown command \"peer\" (did you mean \"peers\"?)", 0);
	expect_error("{\"kbgp\":1,\"command\":\"routes\",\"args\":{\"fail\":1}}", "asked to fail",
	             0);
	expect_error("{\"kbgp\":1,\"command\":7}", "\"command\" must be a string", 1);
	expect_error("{\"kbgp\":1,\"command\":\"peers\",\"args\":[]}", "\"args\" an object", 1);
	expect_error("{\"kbgp\":2,\"command\":\"peers\"}", "protocol version 1 only", 1);
	expect_error("{\"command\":\"peers\"}", "\"kbgp\": 1", 1);
	expect_error("peers", "not JSON", 1);
	expect_error("{\"kbgp\":1,\"kbgp\":1,\"command\":\"peers\"}", "not JSON", 1);
	expect_error("[1,2]", "\"kbgp\": 1", 1);
}

static void test_size_cap(void **state)
{
	(void)state;
	size_t n = CTL_REQUEST_MAX + 2;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	expect_error(big, "longer than 64 KiB", 1);
	free(big);
}

static void test_request_line(void **state)
{
	(void)state;
	json_t *args = json_pack("{s:s}", "afi", "ipv4");
	char *line = ctl_request_line("routes", args); /* args stay the caller's */
	json_decref(args);
	int fatal;
	json_t *j = ask(line, &fatal);
	assert_true(json_is_true(json_object_get(j, "ok")));
	free(line);
	json_decref(j);
}

/* -o yaml: what reads back as another type is quoted. */
static void test_yaml(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	json_t *v = json_pack("{s:s, s:i, s:s, s:[i, s], s:n, s:s}", "state", "established", "asn",
	                      65000, "as_text", "65000", "list", 1, "true", "nothing", "addr",
	                      "10.0.0.1");
	assert_int_equal(yaml_write(out, v), 0);
	fclose(out);
	assert_string_equal(text, "state: established\nasn: 65000\nas_text: \"65000\"\nlist:\n"
	                          "- 1\n- \"true\"\nnothing: null\naddr: 10.0.0.1\n");
	json_decref(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result),   cmocka_unit_test(test_errors),
		cmocka_unit_test(test_size_cap), cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_yaml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
