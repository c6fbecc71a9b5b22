/* suggest.c - edit distance for "did you mean" hints: optimal string
 * alignment (Levenshtein plus the swap of two neighbours as one edit, the
 * commonest typo: "wbe" for "web"). Words here are schema keys and service
 * names, so three rows of a small fixed matrix are enough; a longer word is
 * compared on its first SUGGEST_MAX_LEN bytes only. */
#include "suggest.h"

#include <string.h>

#define SUGGEST_MAX_LEN 64

unsigned suggest_distance(const char *a, const char *b)
{
    unsigned row[3][SUGGEST_MAX_LEN + 1];
    size_t la = strnlen(a, SUGGEST_MAX_LEN), lb = strnlen(b, SUGGEST_MAX_LEN);

    for (size_t j = 0; j <= lb; j++)
        row[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned *prev2 = row[(i + 1) % 3], *prev = row[(i - 1) % 3], *cur = row[i % 3];
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
            unsigned m = sub < del ? sub : del;
            m = m < ins ? m : ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < m)
                m = prev2[j - 2] + 1;
            cur[j] = m;
        }
    }
    unsigned d = row[la % 3][lb];
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
