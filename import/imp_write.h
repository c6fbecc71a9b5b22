/* imp_write.h - an import as the text of the files it writes. */
#ifndef CORRAL_IMP_WRITE_H
#define CORRAL_IMP_WRITE_H

#include <stddef.h>

#include "imp.h"

struct imp_file {
    char *path; /* relative to --to: services.d/NAME.yaml, corral.yaml, import-report.txt */
    char *text;
};

/* One service file. Caller frees. */
char *imp_render_service(const struct imp_service *s);
/* corral.yaml: services: services.d and the global keys. Caller frees. */
char *imp_render_global(const struct imp *m);
/* The report: the sources, then what was not mapped, mapped with a
 * difference, or not needed, each with where and why. Caller frees. */
char *imp_render_report(const struct imp *m);
/* Every file of the import, services first in the order they were made.
 * Free with imp_files_free. */
void imp_outputs(const struct imp *m, struct imp_file **files, size_t *n);
void imp_files_free(struct imp_file *files, size_t n);

#endif
