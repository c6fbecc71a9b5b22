/* args.c - parses `corralctl [--socket PATH] [--json] COMMAND [ARGS...]`
 * with getopt_long twice: once for the global options (stopping at the
 * command), once for the command's own options, which may come before or
 * after its operands (`corralctl logs web -f`). Checks what can be checked
 * here (counts, durations, signal names) so that a usage error never reaches
 * the daemon. */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "signame.h"
#include "units.h"

enum args_opt {
    ARGS_OPT_SINCE = 256,
    ARGS_OPT_FOR,
    ARGS_OPT_DRY_RUN,
    ARGS_OPT_CONFIG,
    ARGS_OPT_NO_RESOLVE,
};

static const struct option args_global_opts[] = {
    {"socket", required_argument, NULL, 's'}, {"config", required_argument, NULL, ARGS_OPT_CONFIG},
    {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
};

static const struct option args_cmd_opts[] = {
    {"socket", required_argument, NULL, 's'},
    {"config", required_argument, NULL, ARGS_OPT_CONFIG},
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {"timeout", required_argument, NULL, 't'},
    {"for", required_argument, NULL, ARGS_OPT_FOR},
    {"lines", required_argument, NULL, 'n'},
    {"follow", no_argument, NULL, 'f'},
    {"since", required_argument, NULL, ARGS_OPT_SINCE},
    {"dry-run", no_argument, NULL, ARGS_OPT_DRY_RUN},
    {"no-resolve", no_argument, NULL, ARGS_OPT_NO_RESOLVE},
    {NULL, 0, NULL, 0},
};

static int args_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int args_fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void args_close(struct args *a)
{
    proto_request_close(&a->req);
}

/* The reason for getopt's '?' or ':' at argv[optind - 1]. */
static int args_bad_option(int c, char **argv, char *why, size_t len)
{
    const char *arg = argv[optind - 1];

    if (c == ':')
        return args_fail(why, len, "option %s needs a value", arg);
    if (optopt && strncmp(arg, "--", 2) != 0)
        return args_fail(why, len, "unknown option -%c", optopt);
    return args_fail(why, len, "unknown option %s", arg);
}

/* Which options each command takes, besides --socket, --config, --json and
 * --help. */
static bool args_takes(enum proto_cmd cmd, int opt)
{
    switch (opt) {
    case 't':
    case ARGS_OPT_FOR:
        return cmd == PROTO_CMD_WAIT;
    case 'n':
    case 'f':
    case ARGS_OPT_SINCE:
        return cmd == PROTO_CMD_LOGS;
    case ARGS_OPT_DRY_RUN:
        return cmd == PROTO_CMD_RELOAD || cmd == PROTO_CMD_SCALE;
    }
    return true;
}

static int args_duration(const char *opt, const char *s, uint64_t *ms, char *why, size_t len)
{
    if (units_parse_duration_ms(s, ms) < 0)
        return args_fail(why, len, "%s: expected a duration such as 500ms, 30s or 2m, got \"%s\"",
                         opt, s);
    return 0;
}

/* One option of the command's; returns 0 or -EINVAL. */
static int args_cmd_option(int c, struct args *a, uint64_t now_ms, char *why, size_t len)
{
    struct proto_request *r = &a->req;
    uint64_t ms = 0;
    char *end = NULL;
    int f;

    switch (c) {
    case 's':
        a->socket = optarg;
        return 0;
    case ARGS_OPT_CONFIG:
        a->config = optarg;
        return 0;
    case 'j':
        a->json = true;
        return 0;
    case 't':
        return args_duration("--timeout", optarg, &r->timeout_ms, why, len);
    case ARGS_OPT_FOR:
        f = proto_wait_for_from_name(optarg);
        if (f < 0)
            return args_fail(why, len, "--for: expected up, ready, done or down, got \"%s\"",
                             optarg);
        r->wait_for = (enum proto_wait_for)f;
        return 0;
    case 'n':
        errno = 0;
        r->lines = strtoull(optarg, &end, 10);
        if (!isdigit((unsigned char)optarg[0]) || *end || errno)
            return args_fail(why, len, "--lines: expected a number, got \"%s\"", optarg);
        return 0;
    case 'f':
        r->follow = true;
        return 0;
    case ARGS_OPT_SINCE:
        if (args_duration("--since", optarg, &ms, why, len) < 0)
            return -EINVAL;
        r->has_since = true;
        r->since_ms = ms < now_ms ? now_ms - ms : 0;
        return 0;
    case ARGS_OPT_DRY_RUN:
        r->dry_run = true;
        return 0;
    case ARGS_OPT_NO_RESOLVE:
        a->no_resolve = true;
        return 0;
    }
    return -EINVAL;
}

/* Sets the signal of `signal SIG ...` from s (a name or a number). */
static int args_signal(struct args *a, const char *s, char *why, size_t len)
{
    size_t digits = strspn(s, "0123456789");

    if (signame_parse(s) < 0)
        return args_fail(why, len, "unknown signal \"%s\" (try HUP, TERM, USR1 or a number)", s);
    if (s[digits] == '\0') {
        a->req.signal_number = signame_parse(s);
        return 0;
    }
    a->req.signal_name = strdup(s);
    return a->req.signal_name ? 0 : -ENOMEM;
}

/* Checks the operands ops[0..n) of the command and puts them in the request. */
static int args_operands(struct args *a, const char *cmd, char **ops, int n, char *why, size_t len)
{
    struct proto_request *r = &a->req;
    int rc;

    /* signal SIGNAL NAME...: the signal first (unless given as -SIG). */
    if (r->cmd == PROTO_CMD_SIGNAL && !r->signal_name && r->signal_number == 0) {
        if (n == 0)
            return args_fail(why, len, "signal: missing SIGNAL and NAME");
        rc = args_signal(a, ops[0], why, len);
        if (rc < 0)
            return rc;
        ops++;
        n--;
    }
    switch (r->cmd) {
    case PROTO_CMD_SIGNAL:
    case PROTO_CMD_START:
    case PROTO_CMD_STOP:
    case PROTO_CMD_RESTART:
        if (n == 0)
            return args_fail(why, len, "%s: missing NAME (or all)", cmd);
        for (int i = 0; i < n; i++) {
            if (strcmp(ops[i], "all") == 0 && n > 1)
                return args_fail(why, len, "%s: 'all' cannot be given with other names", cmd);
        }
        r->all = n == 1 && strcmp(ops[0], "all") == 0;
        if (r->all)
            return 0;
        break;
    case PROTO_CMD_PID:
    case PROTO_CMD_LOGS:
        if (n != 1)
            return args_fail(why, len, "%s: expected one NAME, got %d", cmd, n);
        break;
    case PROTO_CMD_WAIT:
        if (n == 0)
            return args_fail(why, len, "wait: missing NAME");
        break;
    case PROTO_CMD_SCALE: {
        char *end = NULL;
        if (n != 2)
            return args_fail(why, len, "scale: expected NAME and a COUNT, got %d arguments", n);
        errno = 0;
        r->count = strtoull(ops[1], &end, 10);
        if (!isdigit((unsigned char)ops[1][0]) || *end || errno || r->count == 0)
            return args_fail(why, len, "scale: expected a COUNT of 1 or more, got \"%s\"", ops[1]);
        n = 1;
        break;
    }
    case PROTO_CMD_STATUS:
    case PROTO_CMD_TOP:
        break;
    default:
        if (n > 0)
            return args_fail(why, len, "%s: unexpected argument \"%s\"", cmd, ops[0]);
        break;
    }
    return proto_request_set_names(r, (const char *const *)ops, (size_t)n);
}

/* The offline commands: help [COMMAND] and check DIR. */
static int args_offline(struct args *a, const char *cmd, char **ops, int n, char *why, size_t len)
{
    if (strcmp(cmd, "help") == 0) {
        if (n > 1)
            return args_fail(why, len, "help: expected at most one COMMAND");
        a->action = ARGS_HELP;
        a->help_topic = n == 1 ? ops[0] : NULL;
        if (a->help_topic && !help_find(a->help_topic))
            return args_fail(why, len, "help: unknown command \"%s\"", a->help_topic);
        return 0;
    }
    if (n != 1)
        return args_fail(why, len, "check: expected one DIR");
    a->action = ARGS_CHECK;
    a->check_dir = ops[0];
    return 0;
}

/* Resolves the command word into a->req.cmd (or an offline action). */
static int args_command(struct args *a, const char *cmd, bool *offline, char *why, size_t len)
{
    const char *close = NULL;
    int c = proto_cmd_from_name(cmd);

    *offline = strcmp(cmd, "help") == 0 || strcmp(cmd, "check") == 0;
    if (*offline)
        return 0;
    if (c >= 0) {
        a->req.cmd = (enum proto_cmd)c;
        return 0;
    }
    close = help_suggest(cmd);
    if (close)
        return args_fail(why, len, "unknown command \"%s\" (did you mean \"%s\"?)", cmd, close);
    return args_fail(why, len, "unknown command \"%s\"", cmd);
}

/* Parses the command's options; sub[0] is the command word. */
static int args_parse_cmd(int n, char **sub, uint64_t now_ms, struct args *a, char *why, size_t len)
{
    const char *cmd = sub[0];
    bool offline = false;
    int rc = args_command(a, cmd, &offline, why, len);
    int c, li;

    if (rc < 0)
        return rc;
    /* kill(1) style: `signal -HUP web`, `signal -9 web`. */
    if (!offline && a->req.cmd == PROTO_CMD_SIGNAL && n > 1 && sub[1][0] == '-' &&
        sub[1][1] != '-' && sub[1][1] != '\0' && signame_parse(sub[1] + 1) > 0) {
        rc = args_signal(a, sub[1] + 1, why, len);
        if (rc < 0)
            return rc;
        sub++;
        n--;
    }
    optind = 0; /* glibc: start afresh, permuting operands after options */
    while ((li = -1, c = getopt_long(n, sub, ":s:jht:n:f", args_cmd_opts, &li)) != -1) {
        if (c == '?' || c == ':')
            return args_bad_option(c, sub, why, len);
        if (c == 'h') {
            a->action = ARGS_HELP;
            a->help_topic = help_find(cmd) ? cmd : NULL;
            return 0;
        }
        /* check DIR takes --json and --no-resolve; help takes nothing. */
        bool applies = offline ? strcmp(cmd, "check") == 0 && (c == 'j' || c == ARGS_OPT_NO_RESOLVE)
                               : c != ARGS_OPT_NO_RESOLVE && args_takes(a->req.cmd, c);
        if (!applies) {
            if (li >= 0)
                return args_fail(why, len, "%s: option --%s does not apply", cmd,
                                 args_cmd_opts[li].name);
            return args_fail(why, len, "%s: option -%c does not apply", cmd, c);
        }
        rc = args_cmd_option(c, a, now_ms, why, len);
        if (rc < 0)
            return rc;
    }
    if (offline)
        return args_offline(a, cmd, sub + optind, n - optind, why, len);
    return args_operands(a, cmd, sub + optind, n - optind, why, len);
}

int args_parse(int argc, char **argv, uint64_t now_ms, struct args *a, char *why, size_t len)
{
    int c;

    *a = (struct args){.action = ARGS_REMOTE};
    proto_request_init(&a->req);
    a->req.id = 1;
    opterr = 0; /* the messages are ours, in why */
    optind = 0;
    while ((c = getopt_long(argc, argv, "+:s:jhV", args_global_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            a->socket = optarg;
            break;
        case ARGS_OPT_CONFIG:
            a->config = optarg;
            break;
        case 'j':
            a->json = true;
            break;
        case 'h':
            a->action = ARGS_HELP;
            return 0;
        case 'V':
            a->action = ARGS_VERSION;
            return 0;
        default:
            return args_bad_option(c, argv, why, len);
        }
    }
    if (optind >= argc)
        return args_fail(why, len, "missing COMMAND");
    return args_parse_cmd(argc - optind, argv + optind, now_ms, a, why, len);
}
