/* diagwarn.h - when a diagnostic figure deserves a line of corral's log: the
 * PID budget crossing 80% and 95% (and falling back, with a margin so that a
 * count hovering at a line does not repeat it), and the zombies inside a
 * service's tree growing (docs/diagnosing.md). Pure: figures in, decisions
 * out. */
#ifndef CORRAL_DIAGWARN_H
#define CORRAL_DIAGWARN_H

#include <stdbool.h>
#include <stdint.h>

enum diagwarn_level {
    DIAGWARN_OK,       /* below 80% (or no limit) */
    DIAGWARN_HIGH,     /* at or above 80% */
    DIAGWARN_CRITICAL, /* at or above 95% */
};

#define DIAGWARN_HIGH_PCT     80
#define DIAGWARN_CRITICAL_PCT 95
/* A level is left only this many points below its line. */
#define DIAGWARN_MARGIN_PCT 5

/* Zombies inside one service's tree that make the first warning; the next
 * one comes each time the count has doubled since the last. */
#define DIAGWARN_ZOMBIES 16

/* The budget's level for current of max, coming from prev. max < 0 (no
 * limit) or 0: DIAGWARN_OK. */
enum diagwarn_level diagwarn_budget(enum diagwarn_level prev, long current, long max);

/* The whole percentage of current in max (0 when max <= 0). */
int diagwarn_percent(long current, long max);

/* Whether count zombies in a service's tree deserve a warning now, given
 * *warned (the count last warned about, 0: none); updates *warned. Once the
 * count falls to half the threshold the service starts afresh. */
bool diagwarn_zombies(uint32_t *warned, uint32_t count);

#endif
