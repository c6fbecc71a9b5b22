/* import.h - `corral import FORMAT SOURCE... --to DIR | --dry-run`: other
 * supervisors' configurations into a corral directory (docs/importing.md).
 * A command that runs and exits: it never starts PID 1's work. */
#ifndef CORRAL_IMPORT_H
#define CORRAL_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "imp.h"

/* Runs `corral import` with argv[0] == "import". Returns the exit code: 0
 * done, 1 a source could not be read or parsed or DIR written, 2 usage. */
int import_main(int argc, char **argv);

/* Imports sources[0..n) of format into m (imp_init'ed by the caller).
 * Returns 0, -1 with m->err set, or -2 for an unknown format. */
int import_run(struct imp *m, const char *format, char **sources, size_t n);

/* Writes the import's files under dir (made when missing: dir/services.d,
 * dir/corral.yaml, dir/import-report.txt). Returns 0 or -1 with a message
 * in err. */
int import_write(const struct imp *m, const char *dir, char *err, size_t errlen);

#endif
