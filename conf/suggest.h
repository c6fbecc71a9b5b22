/* suggest.h - "did you mean": the closest of a few known words to a word that
 * was not recognised (unknown keys, service names). Pure. */
#ifndef CORRAL_SUGGEST_H
#define CORRAL_SUGGEST_H

#include <stddef.h>

/* Returns the Levenshtein distance between a and b, capped at 255. */
unsigned suggest_distance(const char *a, const char *b);

/* Returns the candidate closest to word when it is close enough to be a typo
 * (at most 2 edits, and at most half the length of word), else NULL.
 * Ties go to the earliest candidate. The pointer is one of cands. */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
