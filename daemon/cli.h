/* cli.h - corral's command line: options into a struct, usage errors into a
 * sentence. Pure: prints nothing and never exits. */
#ifndef CORRAL_CLI_H
#define CORRAL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_DEFAULT_STOP_TIMEOUT_MS 7000
#define CLI_DEFAULT_GRACE_MS        2000

struct cli_opts {
    char **main_argv; /* borrowed from argv; NULL when no main command */
    uint64_t stop_timeout_ms;
    uint64_t grace_ms;
    bool verbose;
    bool help;
    bool version;
};

/* Parses argv. Returns 0, or -EINVAL with a one-line reason in err (the
 * caller prints it with the usage and exits 2). */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

/* The text of `corral --help`. */
extern const char cli_usage[];

#endif
