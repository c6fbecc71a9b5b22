/* suggest.c - edit distance for "did you mean" hints. Words here are schema
 * keys and service names, so two rows of a small fixed matrix are enough; a
 * longer word is compared on its first SUGGEST_MAX_LEN bytes only. */
#include "suggest.h"

#include <string.h>

#define SUGGEST_MAX_LEN 64

unsigned suggest_distance(const char *a, const char *b)
{
    unsigned row[2][SUGGEST_MAX_LEN + 1];
    size_t la = strnlen(a, SUGGEST_MAX_LEN), lb = strnlen(b, SUGGEST_MAX_LEN);

    for (size_t j = 0; j <= lb; j++)
        row[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
            unsigned m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
    }
    unsigned d = row[la & 1][lb];
    return d > 255 ? 255 : d;
}

const char *suggest_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    unsigned best_d = 3; /* more than 2 edits is not a typo */
    size_t len = strlen(word);

    for (size_t i = 0; i < n; i++) {
        unsigned d = suggest_distance(word, cands[i]);
        if (d < best_d && d * 2 < len + 1) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}
