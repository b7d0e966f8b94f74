/*
 * suggest: "did you mean" for configuration keys, commands and the like.
 */
#ifndef KBGP_LIB_SUGGEST_H
#define KBGP_LIB_SUGGEST_H

/* The word of the NULL-terminated list `known` that `word` most likely
 * meant (same letters in another case, or at most two edits away), or
 * NULL. */
const char *suggest_closest(const char *const *known, const char *word);

#endif
