/* signame.c - the table of signal names. Real-time signals are named relative
 * to SIGRTMIN/SIGRTMAX, which the C library decides at run time (glibc keeps
 * two for itself), so they are computed, not tabulated. */
#include "signame.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const struct {
    const char *name;
    int sig;
} signame_table[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

static int signame_parse_number(const char *s, int *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 0 || v > 1024)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

int signame_parse(const char *s)
{
    int n;

    if (!s || !*s)
        return -EINVAL;
    if (signame_parse_number(s, &n) == 0)
        return n >= 1 && n < NSIG ? n : -EINVAL;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof signame_table / sizeof signame_table[0]; i++)
        if (strcasecmp(s, signame_table[i].name) == 0)
            return signame_table[i].sig;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        int is_min = strncasecmp(s, "RTMIN", 5) == 0;
        int base = is_min ? SIGRTMIN : SIGRTMAX, off = 0;
        s += 5;
        if (*s == (is_min ? '+' : '-')) {
            if (signame_parse_number(s + 1, &off) < 0)
                return -EINVAL;
        } else if (*s) {
            return -EINVAL;
        }
        int sig = is_min ? base + off : base - off;
        return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -EINVAL;
    }
    return -EINVAL;
}

const char *signame_format(int sig, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof signame_table / sizeof signame_table[0]; i++) {
        /* IOT and POLL are aliases; the table lists the usual name first. */
        if (signame_table[i].sig == sig) {
            snprintf(buf, len, "SIG%s", signame_table[i].name);
            return buf;
        }
    }
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        if (sig - SIGRTMIN <= SIGRTMAX - sig)
            snprintf(buf, len, sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", sig - SIGRTMIN);
        else
            snprintf(buf, len, sig == SIGRTMAX ? "SIGRTMAX" : "SIGRTMAX-%d", SIGRTMAX - sig);
        return buf;
    }
    snprintf(buf, len, "signal %d", sig);
    return buf;
}
