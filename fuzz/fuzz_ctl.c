/*
 * fuzz_ctl: control-socket request lines, as a hostile local client sends
 * them.  Every line gets exactly one answer line that is a version-1 JSON
 * object; a command's arguments reach it as an object.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/request.h"
#include "fuzz.h"

static json_t *echo(void *ctx, const json_t *args, char *err, size_t err_len)
{
	(void)ctx, (void)err, (void)err_len;
	FUZZ_CHECK(json_is_object(args));
	return json_object_size(args) % 2 == 0 ? json_deep_copy(args) : NULL;
}

static const struct ctl_command commands[] = {
	{ "peers", echo },
	{ "routes", echo },
	{ "fib", echo },
	{ NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fatal;
	char *answer = ctl_answer(commands, NULL, (const char *)data, size, &fatal);
	FUZZ_CHECK(answer != NULL);
	size_t n = strlen(answer);
	FUZZ_CHECK(n > 0 && answer[n - 1] == '\n' && memchr(answer, '\n', n - 1) == NULL);
	json_t *j = json_loads(answer, 0, NULL);
	FUZZ_CHECK(json_is_object(j));
	FUZZ_CHECK(json_integer_value(json_object_get(j, "kbgp")) == 1);
	FUZZ_CHECK(json_is_boolean(json_object_get(j, "ok")));
	json_decref(j);
	free(answer);
	return 0;
}
