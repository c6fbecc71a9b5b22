/* cli.h - corral's command line: options into a struct, usage errors into a
 * sentence. Pure: prints nothing and never exits. */
#ifndef CORRAL_CLI_H
#define CORRAL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_DEFAULT_STOP_TIMEOUT_MS 7000
#define CLI_DEFAULT_GRACE_MS        2000

/* Signal numbers a rewrite table covers (Linux: 1-64). */
#define CLI_NSIG 65

struct cli_opts {
    char **main_argv;         /* borrowed from argv; NULL when no main command */
    const char *services_dir; /* --services; NULL: not given */
    const char *config_path;  /* --config; NULL: not given */
    const char *socket_path;  /* --socket; NULL: not given */
    int log_format;           /* --log-format: -1 not given, 0 text, 1 json */
    bool check;               /* --check: validate, print the start order, exit */
    bool skip_startup;        /* --skip-startup-scripts: corral.yaml's startup_scripts not run */
    uint64_t stop_timeout_ms;
    uint64_t grace_ms;
    bool grace_set;        /* --grace was given: it overrides corral.yaml */
    int rewrite[CLI_NSIG]; /* FROM -> TO + 1 (0: not rewritten; 1: dropped) */
    uint8_t success[32];   /* bitmap of main exit codes reported as 0 */
    int pdeathsig;         /* signal corral gets when its parent dies; 0 for none */
    bool single_child;     /* signals go to the main only, not its group */
    bool verbose;
    bool help;
    bool version;
};

/* Parses argv. A command is optional here (a services directory may be all
 * there is to run); main.c decides whether nothing at all is an error.
 * Returns 0, or -EINVAL with a one-line reason in err (the
 * caller prints it with the usage and exits 2). */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

/* The signal to forward for a received one, after --rewrite-signal; 0 means
 * drop it. */
int cli_rewrite_signal(const struct cli_opts *o, int sig);

/* corral's exit code for the main's: 0 for a --success-code. */
int cli_exit_code(const struct cli_opts *o, int code);

/* The text of `corral --help`. */
extern const char cli_usage[];

#endif
