/* diag_metrics.h - `corralctl metrics` and GET /metrics: every figure of the
 * diagnostics in the Prometheus text exposition format (docs/diagnosing.md
 * "Metrics"). */
#ifndef CORRAL_DIAG_METRICS_H
#define CORRAL_DIAG_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* What the root knows of corral itself. */
struct diag_corral {
    uint64_t uptime_ms;
    uint64_t orphans_reaped, children_reaped;
    uint64_t control_clients;
};

/* Reads the figures now (one /proc scan) and writes the text. Returns it
 * (the caller frees it) or NULL when out of memory. */
char *diag_metrics(struct diag *d, const struct diag_corral *me, size_t *len);

#endif
