/* cli.c - parses corral's options. The main command starts at the first
 * argument that is not an option, or after "--", so both `corral -- cmd -x`
 * and `corral cmd -x` run `cmd -x` (tini and dumb-init accept both). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

const char cli_usage[] =
    "usage: corral [OPTIONS] [--] COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND as the main process of a container: reaps every orphan,\n"
    "forwards signals to COMMAND's process group, stops everything on SIGTERM,\n"
    "and exits with COMMAND's exit code (128+N if signal N killed it).\n"
    "\n"
    "options:\n"
    "  --stop-timeout DURATION  after SIGTERM/SIGINT, how long COMMAND may take to\n"
    "                           exit before its process group gets SIGKILL (default 7s)\n"
    "  --grace DURATION         after COMMAND exits, how long other processes get\n"
    "                           between SIGTERM and SIGKILL (default 2s)\n"
    "  -v, --verbose            log debug messages (orphans reaped, signals)\n"
    "  -h, --help               print this help and exit\n"
    "  -V, --version            print the version and exit\n"
    "\n"
    "DURATION is a number with a unit: 500ms, 10s, 1.5s, 2m.\n"
    "Exit codes: COMMAND's; 2 for a usage error; 127 when COMMAND is not found,\n"
    "126 when it cannot be run.\n";

enum {
    CLI_OPT_STOP_TIMEOUT = 256,
    CLI_OPT_GRACE,
};

static int cli_duration(const char *opt, const char *arg, uint64_t *out, char *err, size_t len)
{
    int rc = units_parse_duration_ms(arg, out);
    if (rc < 0)
        snprintf(err, len, "%s: expected a duration like 500ms, 10s or 2m, got \"%s\"", opt, arg);
    return rc < 0 ? -EINVAL : 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
    static const struct option longopts[] = {
        {"stop-timeout", required_argument, NULL, CLI_OPT_STOP_TIMEOUT},
        {"grace", required_argument, NULL, CLI_OPT_GRACE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };

    memset(o, 0, sizeof *o);
    o->stop_timeout_ms = CLI_DEFAULT_STOP_TIMEOUT_MS;
    o->grace_ms = CLI_DEFAULT_GRACE_MS;
    err[0] = '\0';
    /* getopt keeps its place in globals; start over for every parse. */
    optind = 0;
    opterr = 0;
    for (;;) {
        int longidx = 0;
        /* "+": stop at the first non-option, the main command. */
        int c = getopt_long(argc, argv, "+:vhV", longopts, &longidx);
        if (c == -1)
            break;
        switch (c) {
        case CLI_OPT_STOP_TIMEOUT:
            if (cli_duration("--stop-timeout", optarg, &o->stop_timeout_ms, err, errlen) < 0)
                return -EINVAL;
            break;
        case CLI_OPT_GRACE:
            if (cli_duration("--grace", optarg, &o->grace_ms, err, errlen) < 0)
                return -EINVAL;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            o->help = true;
            return 0;
        case 'V':
            o->version = true;
            return 0;
        case ':':
            snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
            return -EINVAL;
        default:
            if (optopt)
                snprintf(err, errlen, "unknown option -%c", optopt);
            else
                snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
            return -EINVAL;
        }
    }
    if (optind >= argc) {
        snprintf(err, errlen, "no command given");
        return -EINVAL;
    }
    o->main_argv = argv + optind;
    return 0;
}
