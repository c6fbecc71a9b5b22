/* help.h - corralctl's commands as people see them: usage line, one-line
 * summary and details, for `corralctl --help`, `corralctl help COMMAND` and
 * "did you mean" on a mistyped command. */
#ifndef CORRAL_HELP_H
#define CORRAL_HELP_H

#include <stdio.h>

struct help_cmd {
    const char *name;
    const char *usage;   /* "wait [--timeout D] [--for up|ready|done|down] NAME..." */
    const char *summary; /* one line */
    const char *details; /* lines of options and notes, or NULL */
};

/* Returns the command called name, or NULL. */
const struct help_cmd *help_find(const char *name);

/* Returns the known command closest to name (a typo), or NULL. */
const char *help_suggest(const char *name);

/* Prints the overall usage: options, commands with summaries, exit codes. */
void help_print_all(FILE *out);

/* Prints the usage, summary and details of one command. */
void help_print_cmd(FILE *out, const struct help_cmd *cmd);

#endif
