/*
 * suggest: "did you mean": the known word a typo most likely meant.
 */
#include "lib/suggest.h"

#include <string.h>
#include <strings.h>

/* Edit distance of two short strings, or a large number for long ones. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[64], prev, diag;
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			prev = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			best = row[j] + 1 < best ? row[j] + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			row[j] = best;
			diag = prev;
		}
	}
	return row[lb];
}

/* The known key a typo most likely meant: same letters in another case,
 * or at most two edits away. */
const char *suggest_closest(const char *const *known, const char *key)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (; *known != NULL; known++) {
		if (strcasecmp(*known, key) == 0)
			return *known;
		unsigned d = edit_distance(*known, key);
		if (d < best_d && d < strlen(key)) {
			best = *known;
			best_d = d;
		}
	}
	return best;
}
