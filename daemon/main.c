/* main.c - corral's entry point: parses the command line, loads the
 * configuration (or only checks it), makes the process fit to be PID 1
 * (stdio, ignored signals), and runs the composition root (corral.c) until
 * the shutdown sequence stops it. From uv_run on, nothing may end the
 * process but that sequence. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "corral.h"
#include "import.h"
#include "log.h"
#include "spawn.h"

/* fds 0-2 must exist: otherwise the first pipe or socket we open would land
 * on one of them and a child would write its output into it. */
static void corral_ensure_stdio(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int nul = open("/dev/null", O_RDWR);
        if (nul < 0)
            nul = memfd_create("corral-null", 0); /* no /dev: an empty file */
        if (nul >= 0 && nul != fd) {
            dup2(nul, fd);
            close(nul);
        }
    }
}

static void corral_ignore_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    /* SIGPIPE: a reader that went away is an error return, not our death.
     * SIGTTOU/SIGTTIN: corral hands its terminal to the main and takes it
     * back from a background group (tcsetpgrp(3)); tini does the same. */
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGTTOU, &sa, NULL);
    sigaction(SIGTTIN, &sa, NULL);
}

int main(int argc, char **argv)
{
    static struct corral c;
    struct config cfg;
    char err[256];
    uv_loop_t loop;

    /* `corral import ...` converts configurations and exits
     * (docs/importing.md); `corral -- import` runs a program named import. */
    if (argc > 1 && strcmp(argv[1], "import") == 0)
        return import_main(argc - 1, argv + 1);
    if (cli_parse(argc, argv, &c.opts, err, sizeof err) < 0) {
        fprintf(stderr, "corral: %s\n%s", err, cli_usage);
        return 2;
    }
    if (c.opts.help) {
        fputs(cli_usage, stdout);
        return 0;
    }
    if (c.opts.version) {
        printf("corral %s\n", CORRAL_VERSION);
        return 0;
    }
    if (c.opts.verbose)
        log_max_level = LOG_DEBUG;
    int rc = config_load(&cfg, &c.opts);
    if (rc == 0 && !c.opts.verbose)
        log_max_level = config_log_level(cfg.global.log_level);
    if (rc != 0 || c.opts.check) {
        if (rc == 0)
            config_print_plan(&cfg);
        config_close(&cfg);
        return rc;
    }
    corral_ensure_stdio();
    corral_ignore_signals();
    struct rlimit given;
    rlim_t nofile = spawn_raise_nofile(&given);
    if (nofile > given.rlim_cur)
        log_debug("open files: corral may hold %llu; its children get the %llu it was given",
                  (unsigned long long)nofile, (unsigned long long)given.rlim_cur);
    rc = uv_loop_init(&loop);
    if (rc == 0)
        rc = corral_setup(&c, &loop, &cfg);
    config_close(&cfg);
    if (rc < 0) {
        if (rc != -EADDRINUSE)
            log_error("cannot start: %s", uv_strerror(rc));
        return 1;
    }
    rc = corral_run(&c);
    corral_teardown(&c);
    return rc;
}
