/* fuzz_control.c - libFuzzer target over the control socket's command
 * handlers, run against a live daemon core: a loop, a pid table, the
 * output, a supervisor with fake processes and the control socket, built
 * here as a small composition root (daemon/corral.c is not compiled in).
 * Each input is a script played on real client connections: connect, hang
 * up, write request text, run the loop, let a fake process exit, reload.
 * Every line the daemon writes back must decode as a v1 reply, and every
 * connection must be let go once its client hangs up; crashes, leaks and UB
 * under ASan and UBSan are the other findings.
 *
 * The world (the supervisor's state) carries over between inputs and is
 * built again every FUZZ_WORLD_INPUTS inputs, after a shutdown, or when it
 * has made FUZZ_WORLD_SPAWNS processes. A finding may therefore need the
 * inputs before it: they are written out on a finding (fuzz_dump_history)
 * to be replayed in order. CORRAL_FUZZ_WORLD_INPUTS=N sets how many inputs
 * a world lives (1: a new world for every input); CORRAL_FUZZ_LOG=1 shows
 * corral's own lines (at error level) on stderr.
 *
 * The script, byte by byte (see FUZZ_OP_*): a byte below FUZZ_OP_COUNT is
 * an action, some of which take the next byte as their argument; the bytes
 * up to the next action are request text for the current client. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "bounds.h"
#include "conf.h"
#include "control.h"
#include "log.h"
#include "output.h"
#include "pidtab.h"
#include "proto.h"
#include "reaper.h"
#include "supervisor.h"

enum fuzz_op {
    FUZZ_OP_CONNECT, /* a new client connection (the current one from now) */
    FUZZ_OP_HANGUP,  /* the current client hangs up */
    FUZZ_OP_RUN,     /* the loop runs a few times (UV_RUN_NOWAIT) */
    FUZZ_OP_EXIT,    /* ARG: a live fake process exits (which one, and how) */
    FUZZ_OP_RELOAD,  /* ARG: the reload op, as SIGHUP would call it (which set, dry run) */
    FUZZ_OP_SELECT,  /* ARG: another open client becomes the current one */
    FUZZ_OP_TIMERS,  /* time passes: the loop waits for its next timer, if due soon */
    FUZZ_OP_FLOOD,   /* ARG: 1 to 80 KiB of one request line without its end */
    FUZZ_OP_PRINT,   /* ARG: a live fake process writes a line (or part of one) */
    FUZZ_OP_COUNT,
};

#define FUZZ_CLIENTS        8
#define FUZZ_PROCS          256
#define FUZZ_WORLD_INPUTS   100
#define FUZZ_WORLD_SPAWNS   10000
#define FUZZ_TIMER_WAIT_MAX 10   /* ms FUZZ_OP_TIMERS may wait for a timer */
#define FUZZ_RUNS           3    /* loop runs after each write */
#define FUZZ_SETTLE_RUNS    1000 /* bound on the runs letting go of the clients */
#define FUZZ_PID_BASE       4000000

#define FUZZ_EXITED(code) ((code) << 8)

/* The service sets a reload can load: A (the world starts with it), B (web
 * changed, the two instances of worker removed, cache added; groups front and
 * back) and C (invalid). */
enum {
    FUZZ_SET_A,
    FUZZ_SET_B,
    FUZZ_SET_C,
    FUZZ_SETS
};

struct fuzz_file {
    int set_mask; /* the sets it belongs to */
    const char *name;
    const char *text;
};

static const struct fuzz_file fuzz_files[] = {
    {1 << FUZZ_SET_A | 1 << FUZZ_SET_B | 1 << FUZZ_SET_C, "db.yaml",
     "command: [/bin/true, db]\n"
     "groups: [front, back]\n"
     "readiness: {notify: fd, timeout: 4ms}\n"
     "stop_timeout: 3ms\n"
     "logs: {stdout: none}\n"},
    {1 << FUZZ_SET_A, "web.yaml",
     "command: [/bin/true, web, v1]\n"
     "groups: [front]\n"
     "depends_on: [db]\n"
     "readiness: {log: \"^ready\", timeout: 50ms}\n"
     "backoff: {initial: 2ms, max: 8ms}\n"
     "start_limit: {burst: 5, interval: 20ms}\n"
     "stop_timeout: 3ms\n"
     "logs: {ring_size: 4KiB}\n"},
    {1 << FUZZ_SET_B, "web.yaml",
     "command: [/bin/true, web, v2]\n"
     "depends_on: [db]\n"
     "readiness: {log: \"^ready\", timeout: 50ms}\n"
     "backoff: {initial: 2ms, max: 8ms}\n"
     "start_limit: {burst: 5, interval: 20ms}\n"
     "stop_timeout: 3ms\n"
     "logs: {ring_size: 4KiB}\n"},
    {1 << FUZZ_SET_C, "web.yaml", "command: [/bin/true, web]\nrestart: allways\n"},
    {1 << FUZZ_SET_A | 1 << FUZZ_SET_B, "init.yaml",
     "type: oneshot\n"
     "command: [/bin/true, init]\n"
     "logs: {stdout: json}\n"},
    {1 << FUZZ_SET_A, "worker.yaml",
     "command: [/bin/true, worker]\n"
     "instances: 2\n"
     "depends_on: {init: {condition: completed}, db: {condition: started}}\n"
     "restart: on-failure\n"
     "readiness: {log: \"never matches\", timeout: 3ms}\n"
     "stop_signal: HUP\n"
     "stop_timeout: 2ms\n"
     "logs: {stdout: none}\n"},
    {1 << FUZZ_SET_A | 1 << FUZZ_SET_B, "probe.yaml",
     "command: [/bin/true, probe]\n"
     "health: {tcp: \"127.0.0.1:1\", interval: 3ms, timeout: 2ms, retries: 2}\n"
     "logs: {stdout: none}\n"},
    {1 << FUZZ_SET_B, "cache.yaml",
     "command: [/bin/true, cache]\n"
     "depends_on: {web: {condition: started}}\n"
     "critical: true\n"
     "logs: {stdout: none}\n"},
    {1 << FUZZ_SET_C, "bad.yaml", "command: []\ndepends_on: [nothing]\n"},
};

/* One client connection, as a program like corralctl holds it. */
struct fuzz_client {
    int fd;   /* -1: no connection */
    char *in; /* what was read of a reply line not complete yet */
    size_t in_len, in_cap;
};

struct fuzz_input {
    uint8_t *data;
    size_t size;
};

struct fuzz_proc {
    pid_t pid;
    int last_sig; /* the last signal sent to it (0: none) */
    int fds[2];   /* its stdout and stderr while it runs (-1: not piped) */
    unsigned lines;
};

static struct fuzz {
    uv_loop_t loop;
    char dir[64];
    char set_dir[FUZZ_SETS][96];
    char sock[128];
    unsigned world_inputs; /* how many inputs a world lives */
    bool log_stderr;       /* corral's own lines on stderr (CORRAL_FUZZ_LOG=1) */
    /* The world. */
    struct pidtab pids;
    struct reaper reaper;
    struct conf_global global;
    struct output out;
    struct supervisor *sup;
    struct control ctl;
    unsigned inputs;                    /* played on this world */
    struct fuzz_input *history;         /* those inputs, in order (world_inputs of them) */
    unsigned spawned;                   /* processes made in this world */
    int next_set;                       /* what a reload over the socket loads */
    bool shutting_down;                 /* a shutdown was asked: the world ends with the input */
    struct fuzz_proc procs[FUZZ_PROCS]; /* the live fake processes */
    size_t nprocs;
    /* The clients of the current input. */
    struct fuzz_client clients[FUZZ_CLIENTS];
    int cur; /* the current client, or -1 */
} F;

/* ---- fake processes ------------------------------------------------------- */

static struct fuzz_proc *fuzz_proc_of(pid_t pid)
{
    for (size_t i = 0; i < F.nprocs; i++)
        if (F.procs[i].pid == pid)
            return &F.procs[i];
    return NULL;
}

static const char *fuzz_service_of(const struct spawn_plan *plan)
{
    static const char key[] = "CORRAL_SERVICE=";
    for (char *const *e = plan->envp; e && *e; e++)
        if (strncmp(*e, key, sizeof key - 1) == 0)
            return *e + sizeof key - 1;
    return "?";
}

static void fuzz_write_fd(int fd, const char *text)
{
    if (fd >= 0)
        (void)!write(fd, text, strlen(text));
}

/* Keeps the write end of an output pipe open, as a running process does
 * until it exits (non-blocking: a full pipe loses the line). */
static int fuzz_keep_fd(int fd)
{
    if (fd < 0)
        return -1;
    int kept = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (kept >= 0)
        (void)fcntl(kept, F_SETFL, O_NONBLOCK);
    return kept;
}

static void fuzz_proc_close(struct fuzz_proc *p)
{
    for (int k = 0; k < 2; k++) {
        if (p->fds[k] >= 0)
            close(p->fds[k]);
        p->fds[k] = -1;
    }
}

/* Hands out a pid and, as a process would, writes a few lines into its
 * output pipes (web says it is ready; the last line has no end), keeps
 * them open until it exits, and writes a newline on its readiness fd. */
static int fuzz_spawn(const struct spawn_plan *plan, int report_fd, pid_t *pid, int *exec_fd)
{
    char line[128];
    (void)report_fd;
    if (exec_fd)
        *exec_fd = -1; /* the exec is taken as done */
    if (F.nprocs == FUZZ_PROCS)
        return -EAGAIN; /* as a PID limit would */
    const char *name = fuzz_service_of(plan);
    snprintf(line, sizeof line, "%s: starting\n%s\nno end", name,
             strcmp(name, "web") == 0 ? "ready on :8080" : "working");
    fuzz_write_fd(plan->stdio[1], line);
    /* web's lines go to corral's stderr with a prefix: only the others'. */
    if (strcmp(name, "web") != 0)
        fuzz_write_fd(plan->stdio[2], "warning: something on stderr\n");
    fuzz_write_fd(plan->keep_fd, "\n");
    F.spawned++;
    *pid = FUZZ_PID_BASE + (pid_t)F.spawned;
    F.procs[F.nprocs++] = (struct fuzz_proc){
        .pid = *pid, .fds = {fuzz_keep_fd(plan->stdio[1]), fuzz_keep_fd(plan->stdio[2])}};
    return 0;
}

/* Records the signal; the process exits only when the script says so. */
static int fuzz_kill(pid_t pid, int sig)
{
    struct fuzz_proc *p = fuzz_proc_of(pid < 0 ? -pid : pid);
    if (!p) {
        errno = ESRCH;
        return -1;
    }
    if (sig > 0)
        p->last_sig = sig;
    return 0;
}

static const struct sup_procs fuzz_procs = {.spawn = fuzz_spawn, .kill = fuzz_kill};

/* What the reaper does for an exit: the owner hears it. */
static void fuzz_exit(uint8_t arg)
{
    if (F.nprocs == 0)
        return;
    size_t i = arg % F.nprocs;
    struct fuzz_proc p = F.procs[i];
    F.procs[i] = F.procs[--F.nprocs];
    fuzz_proc_close(&p); /* its pipes reach EOF before it can be reaped */
    int st;
    switch (arg >> 5) {
    case 0:
        st = FUZZ_EXITED(0);
        break;
    case 1:
        st = FUZZ_EXITED(1);
        break;
    case 2:
        st = FUZZ_EXITED(127);
        break;
    case 3:
        st = SIGKILL;
        break;
    case 4:
        st = SIGTERM;
        break;
    case 5:
        st = SIGSEGV | 0x80;
        break; /* dumped core */
    default:
        st = p.last_sig ? p.last_sig : FUZZ_EXITED(0);
        break;
    }
    F.reaper.children_reaped++;
    struct pidtab_owner *o = pidtab_take(&F.pids, p.pid);
    if (o)
        o->on_exit(o, p.pid, st);
    else
        F.reaper.orphans_reaped++;
}

/* A live process writes to its stdout (or stderr): a whole line or the
 * start of one. */
static void fuzz_print(uint8_t arg)
{
    char line[96];
    if (F.nprocs == 0)
        return;
    struct fuzz_proc *p = &F.procs[arg % F.nprocs];
    snprintf(line, sizeof line, "%d: line %u%s", (int)p->pid, ++p->lines,
             arg & 0x40 ? " and" : "\n");
    fuzz_write_fd(p->fds[arg >> 7], line);
}

/* ---- what control asks of the root ------------------------------------------ */

static json_t *fuzz_errors_json(const struct conf_errors *errs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        const struct conf_error *e = &errs->v[i];
        json_array_append_new(arr,
                              json_pack("{s:s?, s:i, s:i, s:s}", "file", e->file, "line",
                                        (int)e->line, "column", (int)e->col, "message", e->msg));
    }
    return arr;
}

static json_t *fuzz_names_json(char **v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

/* Loads F.next_set (with scale's count of instances, when not NULL); a
 * reload or a scale over the socket alternates A and B. */
static int fuzz_load(const struct conf_scale *scale, bool dry_run, json_t **result, json_t **errors)
{
    struct conf_set *set = NULL;
    struct conf_errors errs;
    struct sup_plan plan;

    *result = NULL;
    *errors = NULL;
    int which = F.next_set;
    F.next_set = which == FUZZ_SET_A ? FUZZ_SET_B : FUZZ_SET_A;
    conf_errors_init(&errs);
    int rc = conf_load_dir_scaled(F.set_dir[which], NULL, scale, scale ? 1 : 0, &set, &errs);
    if (rc < 0) {
        *errors = fuzz_errors_json(&errs);
        conf_errors_close(&errs);
        return -EINVAL;
    }
    conf_errors_close(&errs);
    rc = sup_plan(F.sup, set, &plan);
    if (rc == 0)
        *result = json_pack("{s:b, s:o, s:o, s:o, s:o}", "dry_run", dry_run, "added",
                            fuzz_names_json(plan.added, plan.n_added), "removed",
                            fuzz_names_json(plan.removed, plan.n_removed), "restarted",
                            fuzz_names_json(plan.restarted, plan.n_restarted), "kept",
                            fuzz_names_json(plan.kept, plan.n_kept));
    sup_plan_close(&plan);
    if (rc < 0 || dry_run) {
        conf_set_free(set);
        return rc;
    }
    rc = sup_swap_set(F.sup, set); /* takes set */
    if (rc < 0) {
        json_decref(*result);
        *result = NULL;
    }
    return rc;
}

static int fuzz_reload(void *arg, bool dry_run, json_t **result, json_t **errors)
{
    (void)arg;
    return fuzz_load(NULL, dry_run, result, errors);
}

static int fuzz_scale(void *arg, const struct conf_scale *scale, bool dry_run, json_t **result,
                      json_t **errors)
{
    (void)arg;
    return fuzz_load(scale, dry_run, result, errors);
}

/* As corral's: the services stop in order, and changes are refused from
 * now on; this world ends with the input. */
static void fuzz_shutdown(void *arg, const char *why)
{
    (void)arg;
    (void)why;
    if (F.shutting_down)
        return;
    F.shutting_down = true;
    sup_stop_all(F.sup, -1);
}

static bool fuzz_shutting_down(void *arg)
{
    (void)arg;
    return F.shutting_down;
}

static json_t *fuzz_corral_status(void *arg)
{
    (void)arg;
    return json_pack("{s:I, s:I, s:I, s:I, s:b}", "pid", (json_int_t)getpid(), "uptime_ms",
                     (json_int_t)uv_now(&F.loop), "orphans_reaped",
                     (json_int_t)F.reaper.orphans_reaped, "children_reaped",
                     (json_int_t)F.reaper.children_reaped, "shutting_down", F.shutting_down);
}

static const struct control_ops fuzz_control_ops = {
    .reload = fuzz_reload,
    .scale = fuzz_scale,
    .shutdown = fuzz_shutdown,
    .shutting_down = fuzz_shutting_down,
    .corral_status = fuzz_corral_status,
};

/* ---- the world ----------------------------------------------------------------- */

/* A finding may need the inputs played before it on the same world:
 * they are written to CORRAL_FUZZ_HISTORY (default
 * ./fuzz-control-history) as 000, 001, ... the last one being the input
 * that failed, to replay in order. Called from the sanitizers' error hooks:
 * no allocation. */
static void fuzz_dump_history(void)
{
    static bool dumped;
    char path[512], msg[768];
    if (dumped || !F.history || F.inputs < 2)
        return;
    dumped = true;
    const char *dir = getenv("CORRAL_FUZZ_HISTORY");
    if (!dir || !*dir)
        dir = "fuzz-control-history";
    (void)mkdir(dir, 0755);
    for (unsigned i = 0; i < F.inputs; i++) {
        snprintf(path, sizeof path, "%s/%03u", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            return;
        (void)!write(fd, F.history[i].data, F.history[i].size);
        close(fd);
    }
    int n = snprintf(msg, sizeof msg,
                     "fuzz_control: this world played %u inputs; replay them in order with "
                     "CORRAL_FUZZ_WORLD_INPUTS=%u fuzz_control %s/*\n",
                     F.inputs, F.inputs, dir);
    (void)!write(STDERR_FILENO, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0);
}

void __asan_on_error(void);
void __ubsan_on_report(void);
void __asan_on_error(void)
{
    fuzz_dump_history();
}
void __ubsan_on_report(void)
{
    fuzz_dump_history();
}

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_control: %s\n", what);
    fuzz_dump_history();
    abort();
}

static void fuzz_world_up(void)
{
    struct conf_set *set = NULL;
    struct conf_errors errs;

    for (unsigned i = 0; i < F.inputs; i++)
        free(F.history[i].data);
    F.inputs = 0;
    F.spawned = 0;
    F.nprocs = 0;
    F.next_set = FUZZ_SET_B;
    F.shutting_down = false;
    if (pidtab_init(&F.pids, PIDTAB_CAPACITY) < 0)
        fuzz_fail("pidtab_init");
    reaper_init(&F.reaper, &F.pids);
    conf_global_init(&F.global);
    conf_errors_init(&errs);
    if (conf_load_dir(F.set_dir[FUZZ_SET_A], NULL, &set, &errs) < 0) {
        char line[512];
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", conf_errors_format(&errs.v[i], line, sizeof line));
        fuzz_fail("set A does not load");
    }
    conf_errors_close(&errs);
    if (output_init(&F.out, &F.loop, &F.global, set) < 0)
        fuzz_fail("output_init");
    struct sup_env env = {.procs = &fuzz_procs,
                          .loop = &F.loop,
                          .pids = &F.pids,
                          .out = &F.out,
                          .reaper = &F.reaper,
                          .notify_socket = ""};
    /* corral's own lines go through a writer, as corral's do, but to
     * stdout (/dev/null here): a failed service's last lines are printed
     * whatever the level. CORRAL_FUZZ_LOG=1 keeps them on stderr. */
    if (!F.log_stderr)
        log_set_writer(&F.out.out, &F.out.log_owner);
    if (sup_new(&env, set, &F.sup) < 0)
        fuzz_fail("sup_new");
    struct control_env ce = {
        .loop = &F.loop, .sup = F.sup, .ops = &fuzz_control_ops, .arg = NULL, .quiet = true};
    if (control_listen(&F.ctl, &ce, &F.global, F.sock) < 0)
        fuzz_fail("control_listen");
    sup_start_all(F.sup);
    uv_run(&F.loop, UV_RUN_NOWAIT);
}

/* In corral_teardown's order; the loop stays for the next world, and must
 * have nothing left on it. */
static void fuzz_world_down(void)
{
    control_close(&F.ctl);
    sup_close(F.sup);
    log_set_writer(NULL, NULL);
    output_close(&F.out);
    uv_run(&F.loop, UV_RUN_NOWAIT);
    sup_free(F.sup);
    F.sup = NULL;
    for (size_t i = 0; i < F.nprocs; i++)
        fuzz_proc_close(&F.procs[i]);
    F.nprocs = 0;
    pidtab_close(&F.pids);
    conf_global_close(&F.global);
    if (uv_loop_alive(&F.loop)) {
        uv_print_all_handles(&F.loop, stderr);
        fuzz_fail("a handle outlived the world");
    }
}

static void fuzz_rm_dir(void)
{
    char path[160];
    for (int s = 0; s < FUZZ_SETS; s++) {
        for (size_t i = 0; i < sizeof fuzz_files / sizeof fuzz_files[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", F.set_dir[s], fuzz_files[i].name);
            (void)unlink(path);
        }
        (void)rmdir(F.set_dir[s]);
    }
    (void)unlink(F.sock);
    (void)rmdir(F.dir);
}

static void fuzz_write_sets(void)
{
    char path[160];
    snprintf(F.dir, sizeof F.dir, "%s/fuzz-control-XXXXXX",
             getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (strlen(F.dir) > 60 || !mkdtemp(F.dir))
        fuzz_fail("mkdtemp");
    atexit(fuzz_rm_dir);
    snprintf(F.sock, sizeof F.sock, "%s/corral.sock", F.dir);
    for (int s = 0; s < FUZZ_SETS; s++) {
        snprintf(F.set_dir[s], sizeof F.set_dir[s], "%s/set-%c", F.dir, 'a' + s);
        if (mkdir(F.set_dir[s], 0700) < 0)
            fuzz_fail("mkdir");
        for (size_t i = 0; i < sizeof fuzz_files / sizeof fuzz_files[0]; i++) {
            if (!(fuzz_files[i].set_mask & 1 << s))
                continue;
            snprintf(path, sizeof path, "%s/%s", F.set_dir[s], fuzz_files[i].name);
            FILE *f = fopen(path, "w");
            if (!f || fputs(fuzz_files[i].text, f) < 0 || fclose(f) != 0)
                fuzz_fail("cannot write a service file");
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_max_level = LOG_ERROR;
    /* As corral: a write to a client that hung up is an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    /* The services' prefixed and JSON lines would fill the terminal;
     * libFuzzer reports on stderr. */
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        (void)dup2(null, STDOUT_FILENO);
        close(null);
    }
    const char *n = getenv("CORRAL_FUZZ_WORLD_INPUTS");
    F.world_inputs = n && atoi(n) > 0 ? (unsigned)atoi(n) : FUZZ_WORLD_INPUTS;
    F.history = calloc(F.world_inputs, sizeof *F.history);
    if (!F.history)
        fuzz_fail("out of memory");
    const char *l = getenv("CORRAL_FUZZ_LOG");
    F.log_stderr = l && *l == '1';
    fuzz_write_sets();
    if (uv_loop_init(&F.loop) < 0)
        fuzz_fail("uv_loop_init");
    for (int i = 0; i < FUZZ_CLIENTS; i++)
        F.clients[i].fd = -1;
    fuzz_world_up();
    return 0;
}

/* ---- the clients ------------------------------------------------------------ */

static void fuzz_client_hangup(int i)
{
    struct fuzz_client *c = &F.clients[i];
    if (c->fd < 0)
        return;
    close(c->fd);
    c->fd = -1;
    c->in_len = 0;
    if (F.cur == i)
        F.cur = -1;
    for (int k = 0; k < FUZZ_CLIENTS && F.cur < 0; k++)
        if (F.clients[k].fd >= 0)
            F.cur = k;
}

static void fuzz_client_connect(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int i = 0;
    while (i < FUZZ_CLIENTS && F.clients[i].fd >= 0)
        i++;
    if (i == FUZZ_CLIENTS)
        return;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fuzz_fail("socket");
    memcpy(a.sun_path, F.sock, strlen(F.sock) + 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd); /* the backlog is full: as a client would, give up */
        return;
    }
    F.clients[i].fd = fd;
    F.clients[i].in_len = 0;
    F.cur = i;
}

/* Every line the daemon writes must be a v1 reply (ok, error or stream
 * item), as corralctl decodes it. */
static void fuzz_client_check(struct fuzz_client *c)
{
    struct proto_reply r;
    char why[160];
    size_t start = 0;
    for (size_t k = 0; k < c->in_len; k++) {
        if (c->in[k] != '\n')
            continue;
        if (proto_reply_decode(c->in + start, k - start, &r, why, sizeof why) < 0) {
            fprintf(stderr, "fuzz_control: the daemon wrote a line that is no reply (%s): %.*s\n",
                    why, (int)(k - start > 300 ? 300 : k - start), c->in + start);
            abort();
        }
        proto_reply_close(&r);
        start = k + 1;
    }
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
}

/* Reads what the daemon wrote to each client, never blocking. */
static void fuzz_clients_read(void)
{
    static char buf[65536];
    for (int i = 0; i < FUZZ_CLIENTS; i++) {
        struct fuzz_client *c = &F.clients[i];
        while (c->fd >= 0) {
            ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n <= 0) { /* the daemon closed it (too_large, too slow) */
                fuzz_client_hangup(i);
                break;
            }
            if (c->in_len + (size_t)n > PROTO_REPLY_MAX)
                fuzz_fail("a reply line longer than corralctl accepts");
            if (c->in_len + (size_t)n > c->in_cap) {
                size_t cap = c->in_cap ? c->in_cap : 4096;
                while (cap < c->in_len + (size_t)n)
                    cap *= 2;
                char *in = realloc(c->in, cap);
                if (!in)
                    fuzz_fail("out of memory");
                c->in = in;
                c->in_cap = cap;
            }
            memcpy(c->in + c->in_len, buf, (size_t)n);
            c->in_len += (size_t)n;
            fuzz_client_check(c);
        }
    }
}

static void fuzz_run(int times)
{
    for (int i = 0; i < times; i++) {
        uv_run(&F.loop, UV_RUN_NOWAIT);
        fuzz_clients_read();
    }
}

static void fuzz_client_write(const uint8_t *p, size_t len)
{
    if (F.cur < 0 || len == 0)
        return;
    /* What does not fit in the socket now is dropped, as a client that
     * gave up would. */
    (void)send(F.clients[F.cur].fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    fuzz_run(FUZZ_RUNS);
}

/* One request line too long to be one, without its end. */
static void fuzz_client_flood(uint8_t arg)
{
    static char fill[80 * 1024];
    if (!fill[0])
        memset(fill, 'x', sizeof fill);
    fuzz_client_write((const uint8_t *)fill, ((size_t)(arg % 80) + 1) * 1024);
}

/* Time passes: the loop waits for its next timer if it is due soon (a
 * backoff, a stop timeout, a wait's timeout_ms, a health check). */
static void fuzz_timers(void)
{
    uv_update_time(&F.loop);
    int ms = uv_backend_timeout(&F.loop);
    if (ms > 0 && ms <= FUZZ_TIMER_WAIT_MAX) {
        /* Not UV_RUN_ONCE: once that timer has run, it would block until
         * the next one, however far. */
        struct pollfd p = {.fd = uv_backend_fd(&F.loop), .events = POLLIN};
        (void)poll(&p, 1, ms);
    }
    fuzz_run(1);
}

/* Every client hangs up; every connection must then be let go. */
static void fuzz_clients_end(void)
{
    for (int i = 0; i < FUZZ_CLIENTS; i++)
        fuzz_client_hangup(i);
    for (int k = 0; F.ctl.nclients > 0; k++) {
        if (k == FUZZ_SETTLE_RUNS)
            fuzz_fail("a connection was still open long after its client hung up");
        uv_run(&F.loop, UV_RUN_NOWAIT);
    }
}

/* ---- the script ---------------------------------------------------------------- */

static bool fuzz_op_has_arg(uint8_t op)
{
    return op == FUZZ_OP_EXIT || op == FUZZ_OP_RELOAD || op == FUZZ_OP_SELECT ||
           op == FUZZ_OP_FLOOD || op == FUZZ_OP_PRINT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0;

    struct fuzz_input *h = &F.history[F.inputs++];
    h->data = malloc(size ? size : 1);
    h->size = h->data ? size : 0;
    if (h->data && size)
        memcpy(h->data, data, size);
    F.cur = -1;
    while (i < size) {
        uint8_t op = data[i++];
        if (op >= FUZZ_OP_COUNT) {
            size_t start = i - 1;
            while (i < size && data[i] >= FUZZ_OP_COUNT)
                i++;
            fuzz_client_write(data + start, i - start);
            continue;
        }
        uint8_t arg = 0;
        if (fuzz_op_has_arg(op))
            arg = i < size ? data[i++] : 0;
        switch ((enum fuzz_op)op) {
        case FUZZ_OP_CONNECT:
            fuzz_client_connect();
            fuzz_run(1);
            break;
        case FUZZ_OP_HANGUP:
            if (F.cur >= 0)
                fuzz_client_hangup(F.cur);
            fuzz_run(1);
            break;
        case FUZZ_OP_RUN:
            fuzz_run(4);
            break;
        case FUZZ_OP_EXIT:
            fuzz_exit(arg);
            fuzz_run(1);
            break;
        case FUZZ_OP_RELOAD: {
            json_t *result = NULL, *errors = NULL;
            F.next_set = arg % FUZZ_SETS;
            (void)fuzz_reload(NULL, arg & 0x80, &result, &errors);
            json_decref(result);
            json_decref(errors);
            fuzz_run(1);
            break;
        }
        case FUZZ_OP_SELECT:
            for (int k = 0; k < FUZZ_CLIENTS; k++) {
                int c = (arg + k) % FUZZ_CLIENTS;
                if (F.clients[c].fd >= 0) {
                    F.cur = c;
                    break;
                }
            }
            break;
        case FUZZ_OP_TIMERS:
            fuzz_timers();
            break;
        case FUZZ_OP_FLOOD:
            fuzz_client_flood(arg);
            break;
        case FUZZ_OP_PRINT:
            fuzz_print(arg);
            fuzz_run(1);
            break;
        case FUZZ_OP_COUNT:
            break;
        }
    }
    fuzz_clients_end();
    if (F.inputs >= F.world_inputs || F.shutting_down || F.spawned > FUZZ_WORLD_SPAWNS) {
        fuzz_world_down();
        fuzz_world_up();
    }
    return 0;
}

/* ---- the mutator ---------------------------------------------------------------- */

/* Half of the mutations are libFuzzer's own (bytes, the dictionary, cross
 * over); the other half know the script: they parse one request line as
 * JSON and change it as a client could (a name repeated or swapped, another
 * command, a field set or dropped, the request sent twice), or add an action
 * or a whole new request. Byte mutations alone rarely keep a request valid
 * while growing its list of names. */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static uint64_t fuzz_rng;

static unsigned fuzz_rand(unsigned n)
{
    fuzz_rng = fuzz_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(fuzz_rng >> 33) % n;
}

#define FUZZ_PICK(a) ((a)[fuzz_rand(sizeof(a) / sizeof((a)[0]))])

static const char *const fuzz_names[] = {
    "web", "db",   "init",     "worker",   "probe",  "cache", "web",     "db",
    "wbe", "nope", "worker.1", "worker.2", "@front", "@back", "@worker", "@nope"};
static const char *const fuzz_cmds[] = {"status", "start",   "stop",     "restart", "signal",
                                        "pid",    "wait",    "logs",     "events",  "reload",
                                        "health", "version", "shutdown", "bogus",   "scale"};
static const char *const fuzz_signals[] = {"HUP",     "TERM", "SIGKILL", "usr1",
                                           "RTMIN+2", "0",    "nope"};
static const char *const fuzz_fors[] = {"up", "ready", "done", "down", "later"};
static const char *const fuzz_keys[] = {"id",         "names", "all",    "signal",   "for",
                                        "timeout_ms", "lines", "follow", "since_ms", "dry_run",
                                        "v",          "cmd",   "count"};

/* The arguments of each command (docs/protocol.md), NULL-terminated. */
static const struct {
    const char *cmd;
    const char *keys[5];
} fuzz_args[] = {
    {"status", {"names"}},
    {"start", {"names", "all"}},
    {"stop", {"names", "all"}},
    {"restart", {"names", "all"}},
    {"signal", {"names", "all", "signal"}},
    {"pid", {"names"}},
    {"wait", {"names", "for", "timeout_ms"}},
    {"logs", {"names", "lines", "follow", "since_ms"}},
    {"events", {NULL}},
    {"reload", {"dry_run"}},
    {"scale", {"names", "count", "dry_run"}},
    {"health", {NULL}},
    {"version", {NULL}},
    {"shutdown", {NULL}},
};

/* A key for a request: mostly one its command takes. */
static const char *fuzz_key_for(const char *cmd)
{
    for (size_t i = 0; cmd && i < sizeof fuzz_args / sizeof fuzz_args[0]; i++) {
        if (strcmp(fuzz_args[i].cmd, cmd) != 0 || !fuzz_args[i].keys[0] || fuzz_rand(4) == 0)
            continue;
        size_t n = 0;
        while (n < 5 && fuzz_args[i].keys[n])
            n++;
        return fuzz_args[i].keys[fuzz_rand((unsigned)n)];
    }
    return FUZZ_PICK(fuzz_keys);
}
static const json_int_t fuzz_ints[] = {0, 1, 2, 3, 5, 20, 100, 1000, 65, -1, 100000, 1LL << 40};

static json_t *fuzz_random_value(const char *key)
{
    if (!strcmp(key, "names")) {
        json_t *arr = json_array();
        for (unsigned n = 1 + fuzz_rand(fuzz_rand(4) ? 3 : 12); n > 0; n--)
            json_array_append_new(arr, json_string(FUZZ_PICK(fuzz_names)));
        return arr;
    }
    if (!strcmp(key, "signal"))
        return fuzz_rand(2) ? json_string(FUZZ_PICK(fuzz_signals))
                            : json_integer((json_int_t)fuzz_rand(70));
    if (!strcmp(key, "for"))
        return json_string(FUZZ_PICK(fuzz_fors));
    if (!strcmp(key, "cmd"))
        return json_string(FUZZ_PICK(fuzz_cmds));
    if (!strcmp(key, "all") || !strcmp(key, "follow") || !strcmp(key, "dry_run"))
        return fuzz_rand(4) ? json_true() : (fuzz_rand(2) ? json_false() : json_null());
    if (!strcmp(key, "v"))
        return fuzz_rand(8) ? json_integer(1) : json_integer(2);
    return json_integer(FUZZ_PICK(fuzz_ints));
}

/* A request of a random command, with some of its arguments. */
static json_t *fuzz_random_request(void)
{
    const char *cmd = FUZZ_PICK(fuzz_cmds);
    json_t *o = json_pack("{s:i, s:I, s:s}", "v", 1, "id", (json_int_t)fuzz_rand(100), "cmd", cmd);
    for (unsigned n = fuzz_rand(4); n > 0; n--) {
        const char *key = fuzz_key_for(cmd);
        json_object_set_new(o, key, fuzz_random_value(key));
    }
    return o;
}

/* One change to a request object. */
static void fuzz_mutate_request(json_t *o)
{
    json_t *names = json_object_get(o, "names");
    switch (fuzz_rand(5)) {
    case 0:
    case 1:
        if (!json_is_array(names) || json_array_size(names) == 0) {
            json_object_set_new(o, "names", fuzz_random_value("names"));
        } else if (fuzz_rand(3)) { /* a name again, once or more */
            json_t *n = json_array_get(names, fuzz_rand((unsigned)json_array_size(names)));
            for (unsigned k = fuzz_rand(2) ? 1 : 1 + fuzz_rand(8); k > 0; k--)
                json_array_append(names, n);
        } else if (fuzz_rand(2)) {
            json_array_insert_new(names, fuzz_rand((unsigned)json_array_size(names) + 1),
                                  json_string(FUZZ_PICK(fuzz_names)));
        } else {
            json_array_remove(names, fuzz_rand((unsigned)json_array_size(names)));
        }
        break;
    case 2:
        json_object_set_new(o, "cmd", json_string(FUZZ_PICK(fuzz_cmds)));
        break;
    case 3: {
        const char *key = fuzz_key_for(json_string_value(json_object_get(o, "cmd")));
        json_object_set_new(o, key, fuzz_random_value(key));
        break;
    }
    default:
        json_object_del(o, FUZZ_PICK(fuzz_keys));
        break;
    }
}

struct fuzz_span {
    size_t start, end; /* a request line of the text, its newline included */
};

/* The request lines of a script (at most max). */
static size_t fuzz_lines(const uint8_t *data, size_t size, struct fuzz_span *v, size_t max)
{
    size_t n = 0, i = 0;
    while (i < size && n < max) {
        uint8_t op = data[i];
        if (op < FUZZ_OP_COUNT) {
            i += fuzz_op_has_arg(op) ? 2 : 1;
            continue;
        }
        size_t start = i;
        while (i < size && data[i] >= FUZZ_OP_COUNT && data[i] != '\n')
            i++;
        if (i < size && data[i] == '\n')
            i++;
        v[n++] = (struct fuzz_span){start, i};
    }
    return n;
}

/* Replaces data[start, end) with text (and a newline): the new size, or 0
 * when it does not fit. */
static size_t fuzz_splice(uint8_t *data, size_t size, size_t max_size, size_t start, size_t end,
                          const char *text, size_t len, bool newline)
{
    size_t add = len + (newline ? 1 : 0);
    size_t new_size = size - (end - start) + add;
    if (new_size > max_size)
        return 0;
    memmove(data + start + add, data + end, size - end);
    memcpy(data + start, text, len);
    if (newline)
        data[start + len] = '\n';
    return new_size;
}

static size_t fuzz_mutate_script(uint8_t *data, size_t size, size_t max_size)
{
    struct fuzz_span lines[64];
    size_t n = fuzz_lines(data, size, lines, 64);
    unsigned what = fuzz_rand(8);

    if (what == 0 || (what < 5 && n == 0)) { /* an action somewhere */
        uint8_t op = (uint8_t)fuzz_rand(FUZZ_OP_COUNT);
        uint8_t act[2] = {op, (uint8_t)fuzz_rand(256)};
        size_t at =
            n && fuzz_rand(2) ? lines[fuzz_rand((unsigned)n)].end : fuzz_rand((unsigned)size + 1);
        return fuzz_splice(data, size, max_size, at, at, (const char *)act,
                           fuzz_op_has_arg(op) ? 2 : 1, false);
    }
    json_t *req = NULL;
    size_t at = size, end = size;
    if (what >= 5 || n == 0) { /* a new request, on a client, after a line */
        req = fuzz_random_request();
        if (n)
            at = end = lines[fuzz_rand((unsigned)n)].end;
    } else {
        struct fuzz_span *l = &lines[fuzz_rand((unsigned)n)];
        req = json_loadb((const char *)data + l->start, l->end - l->start, 0, NULL);
        if (!json_is_object(req)) {
            json_decref(req);
            return 0;
        }
        fuzz_mutate_request(req);
        at = l->start;
        end = what == 4 ? l->start : l->end; /* 4: sent twice, changed once */
    }
    char *text = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(req);
    if (!text)
        return 0;
    size_t rc;
    if (n == 0 && size < max_size && fuzz_rand(2)) { /* a client first */
        uint8_t connect = FUZZ_OP_CONNECT;
        rc = fuzz_splice(data, size, max_size, 0, 0, (const char *)&connect, 1, false);
        if (rc) {
            size = rc;
            at = end = size;
        }
    }
    rc = fuzz_splice(data, size, max_size, at, end, text, strlen(text), true);
    free(text);
    return rc;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    fuzz_rng = seed;
    if (fuzz_rand(2)) {
        size_t n = fuzz_mutate_script(data, size, max_size);
        if (n)
            return n;
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
