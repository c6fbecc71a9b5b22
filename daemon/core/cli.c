/* cli.c - parses corral's options. The main command starts at the first
 * argument that is not an option, or after "--", so both `corral -- cmd -x`
 * and `corral cmd -x` run `cmd -x` (tini and dumb-init accept both). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigforward.h"
#include "signame.h"
#include "units.h"

const char cli_usage[] =
    "usage: corral [OPTIONS] [--] COMMAND [ARGS...]\n"
    "       corral [OPTIONS] --services DIR [-- COMMAND [ARGS...]]\n"
    "       corral import FORMAT SOURCE... (--to DIR | --dry-run)   (corral import --help)\n"
    "\n"
    "Runs COMMAND as the main process of a container, and the services of DIR\n"
    "(one NAME.yaml per service) in dependency order: reaps every orphan,\n"
    "forwards signals to COMMAND's process group, stops everything in order on\n"
    "SIGTERM, and exits with COMMAND's exit code (128+N if signal N killed it).\n"
    "\n"
    "options:\n"
    "  --services DIR           the service directory (default: $CORRAL_SERVICES,\n"
    "                           then corral.yaml's services, then /etc/corral/services.d)\n"
    "  --config FILE            global settings (default /etc/corral/corral.yaml)\n"
    "  --check                  validate the configuration, print the start order, exit\n"
    "  --skip-startup-scripts   do not run corral.yaml's startup_scripts\n"
    "                           (--skip-startup-files, as my_init, means the same)\n"
    "  --socket PATH            the control socket (default: $CORRAL_SOCKET, then\n"
    "                           /run/corral/corral.sock, $XDG_RUNTIME_DIR/corral.sock,\n"
    "                           /tmp/corral-UID/corral.sock: the first that works)\n"
    "  --stop-timeout DURATION  after SIGTERM/SIGINT, how long COMMAND may take to\n"
    "                           exit before its process group gets SIGKILL (default 7s)\n"
    "  --grace DURATION         after COMMAND exits, how long other processes get\n"
    "                           between SIGTERM and SIGKILL (default 2s)\n"
    "  --rewrite-signal FROM:TO forward signal FROM as TO (names or numbers; TO 0\n"
    "                           drops FROM); repeatable, e.g. TERM:QUIT\n"
    "  --single-child           forward signals to COMMAND only, not its group\n"
    "  --success-code N         exit 0 when COMMAND exits N (repeatable)\n"
    "  --pdeathsig SIGNAL       act on SIGNAL when corral's parent dies\n"
    "  --log-format text|json   corral's own messages and the prefix sink as text or JSON\n"
    "                           lines (default: corral.yaml's log_format, then text)\n"
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
    CLI_OPT_REWRITE,
    CLI_OPT_SINGLE_CHILD,
    CLI_OPT_SUCCESS_CODE,
    CLI_OPT_PDEATHSIG,
    CLI_OPT_SERVICES,
    CLI_OPT_CONFIG,
    CLI_OPT_CHECK,
    CLI_OPT_SOCKET,
    CLI_OPT_LOG_FORMAT,
    CLI_OPT_SKIP_STARTUP,
};

static int cli_signal(const char *opt, const char *arg, int allow_zero, int *out, char *err,
                      size_t len)
{
    if (allow_zero && strcmp(arg, "0") == 0) {
        *out = 0;
        return 0;
    }
    int sig = signame_parse(arg);
    if (sig < 0 || sig == SIGKILL || sig == SIGSTOP) {
        snprintf(err, len, "%s: expected a signal name or number like TERM or 15, got \"%s\"", opt,
                 arg);
        return -EINVAL;
    }
    *out = sig;
    return 0;
}

static int cli_add_rewrite(struct cli_opts *o, const char *arg, char *err, size_t len)
{
    char from[32];
    const char *colon = strchr(arg, ':');
    if (!colon || (size_t)(colon - arg) >= sizeof from) {
        snprintf(err, len, "--rewrite-signal: expected FROM:TO like TERM:QUIT, got \"%s\"", arg);
        return -EINVAL;
    }
    snprintf(from, sizeof from, "%.*s", (int)(colon - arg), arg);
    int sig_from, sig_to;
    if (cli_signal("--rewrite-signal", from, 0, &sig_from, err, len) < 0 ||
        cli_signal("--rewrite-signal", colon + 1, 1, &sig_to, err, len) < 0)
        return -EINVAL;
    /* A signal corral does not catch would never be rewritten (and SIGSYS
     * would kill corral): refused here rather than ignored later. */
    const char *why = sig_from < CLI_NSIG ? sigforward_why_not(sig_from) : "out of range";
    if (why) {
        char name[32];
        snprintf(err, len,
                 "--rewrite-signal: corral does not catch %s (%s), so it cannot "
                 "rewrite it",
                 signame_format(sig_from, name, sizeof name), why);
        return -EINVAL;
    }
    o->rewrite[sig_from] = sig_to + 1; /* a later rewrite of the same signal wins */
    return 0;
}

static int cli_add_success(struct cli_opts *o, const char *arg, char *err, size_t len)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0 || v > 255) {
        snprintf(err, len, "--success-code: expected an exit code from 0 to 255, got \"%s\"", arg);
        return -EINVAL;
    }
    o->success[v / 8] |= (uint8_t)(1u << (v % 8));
    return 0;
}

int cli_rewrite_signal(const struct cli_opts *o, int sig)
{
    if (sig > 0 && sig < CLI_NSIG && o->rewrite[sig])
        return o->rewrite[sig] - 1;
    return sig;
}

int cli_exit_code(const struct cli_opts *o, int code)
{
    if (code >= 0 && code <= 255 && (o->success[code / 8] & (1u << (code % 8))))
        return 0;
    return code;
}

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
        {"rewrite-signal", required_argument, NULL, CLI_OPT_REWRITE},
        {"single-child", no_argument, NULL, CLI_OPT_SINGLE_CHILD},
        {"success-code", required_argument, NULL, CLI_OPT_SUCCESS_CODE},
        {"pdeathsig", required_argument, NULL, CLI_OPT_PDEATHSIG},
        {"services", required_argument, NULL, CLI_OPT_SERVICES},
        {"config", required_argument, NULL, CLI_OPT_CONFIG},
        {"check", no_argument, NULL, CLI_OPT_CHECK},
        {"socket", required_argument, NULL, CLI_OPT_SOCKET},
        {"log-format", required_argument, NULL, CLI_OPT_LOG_FORMAT},
        {"skip-startup-scripts", no_argument, NULL, CLI_OPT_SKIP_STARTUP},
        {"skip-startup-files", no_argument, NULL, CLI_OPT_SKIP_STARTUP},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };

    memset(o, 0, sizeof *o);
    o->stop_timeout_ms = CLI_DEFAULT_STOP_TIMEOUT_MS;
    o->grace_ms = CLI_DEFAULT_GRACE_MS;
    o->log_format = -1;
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
            o->grace_set = true;
            break;
        case CLI_OPT_SERVICES:
            o->services_dir = optarg;
            break;
        case CLI_OPT_CONFIG:
            o->config_path = optarg;
            break;
        case CLI_OPT_CHECK:
            o->check = true;
            break;
        case CLI_OPT_SKIP_STARTUP:
            o->skip_startup = true;
            break;
        case CLI_OPT_SOCKET:
            o->socket_path = optarg;
            break;
        case CLI_OPT_LOG_FORMAT:
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                snprintf(err, errlen, "--log-format: expected text or json, got \"%s\"", optarg);
                return -EINVAL;
            }
            o->log_format = strcmp(optarg, "json") == 0;
            break;
        case CLI_OPT_REWRITE:
            if (cli_add_rewrite(o, optarg, err, errlen) < 0)
                return -EINVAL;
            break;
        case CLI_OPT_SINGLE_CHILD:
            o->single_child = true;
            break;
        case CLI_OPT_SUCCESS_CODE:
            if (cli_add_success(o, optarg, err, errlen) < 0)
                return -EINVAL;
            break;
        case CLI_OPT_PDEATHSIG:
            if (cli_signal("--pdeathsig", optarg, 0, &o->pdeathsig, err, errlen) < 0)
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
    if (optind < argc)
        o->main_argv = argv + optind;
    return 0;
}
