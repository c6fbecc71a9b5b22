/* conf.h - the configuration as validated C structs: service files from a
 * directory (or a buffer), the optional corral.yaml, and the error list that
 * names file:line:column for every problem found. conf/ reads files and looks
 * names up (getenv, getpwnam, ...) through struct conf_env; it never logs, never
 * forks and knows nothing of the daemon. Config structs never change after
 * load: a reload builds a new set. */
#ifndef CORRAL_CONF_H
#define CORRAL_CONF_H

#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- limits ---------------------------------------------------------- */

/* What one configuration file may hold (docs/configuration.md, "Limits").
 * The loader runs on PID 1's loop at every reload: past a cap a file is
 * refused with an error at the place that passed it, before the rest is read,
 * so that no file can keep corral from reaping and answering for long. */
#define CONF_FILE_MAX_BYTES (1024 * 1024) /* a service file, corral.yaml, an env_file */
#define CONF_DEPTH_MAX      64            /* lists and maps nested in one another */
#define CONF_ENTRIES_MAX    4096          /* keys of a map, items of a list, env_file variables */
#define CONF_ANCHORS_MAX    100           /* &anchors in one file, and *aliases */
#define CONF_INSTANCES_MAX  100           /* instances: of one service file, and corralctl scale */
#define CONF_GROUPS_MAX     32            /* names in one service's groups: */
#define CONF_LOGS_MIN_SIZE  4096ULL       /* bytes: the least logs.max_size and logs.ring_size */

/* ---- errors ---------------------------------------------------------- */

#define CONF_ERRORS_MAX   100 /* more errors than this are counted in `dropped` only */
#define CONF_WARNINGS_MAX 100 /* more warnings than this: `dropped_warnings` */

/* One error, or one warning: a warning says something that is probably not
 * what was meant (an unset ${VAR} expanding to nothing) but does not stop
 * the file from loading. */
struct conf_error {
    char *file;    /* label, e.g. "services.d/web.yaml" */
    unsigned line; /* 1-based; 0 when the error is about the whole file */
    unsigned col;  /* 1-based; 0 when line is 0 */
    char *msg;     /* "restart: expected always|on-failure|never, got \"allways\"" */
    bool warning;  /* a warning, not an error */
};

/* Errors and warnings in the order found. A load that succeeds may still
 * have added warnings; one that fails has added at least one error (n is
 * then more than warnings, unless every error was dropped). */
struct conf_errors {
    struct conf_error *v;
    size_t n; /* entries in v, errors and warnings */
    size_t cap;
    size_t warnings;         /* how many entries of v are warnings */
    size_t dropped;          /* errors beyond CONF_ERRORS_MAX, not stored */
    size_t dropped_warnings; /* warnings beyond CONF_WARNINGS_MAX, not stored */
};

/* Embedded list: init before use, close to free what it holds. */
void conf_errors_init(struct conf_errors *e);
void conf_errors_close(struct conf_errors *e);

/* Appends one error (file may be NULL). Returns 0, or -ENOMEM. */
int conf_errors_add(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int conf_errors_vadd(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Appends one warning, the same way. Returns 0, or -ENOMEM. */
int conf_errors_warn(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int conf_errors_vwarn(struct conf_errors *e, const char *file, unsigned line, unsigned col,
                      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* True when no further error would be stored (the next ones are only
 * counted), so that a caller may skip work that only makes a message. */
bool conf_errors_full(const struct conf_errors *e);

/* Writes "file:line:col: msg" (or "file: msg" when line is 0) into buf and
 * returns buf; a warning reads "file:line:col: warning: msg". A message too
 * long for buf is cut. */
char *conf_errors_format(const struct conf_error *err, char *buf, size_t len);

/* ---- the environment of the loader ------------------------------------ */

/* Everything conf/ looks up outside the files, so that tests and the fuzzer
 * do not depend on the process environment or /etc/passwd. A NULL conf_env,
 * or a NULL hook in it, means the real thing (getenv, getpwnam_r, ...). */
struct conf_env {
    void *arg; /* passed to every hook */
    /* Returns the value of a variable, or NULL when it is unset. */
    const char *(*lookup)(void *arg, const char *name);
    /* Fills *uid and *gid (the primary group) of a user name. Returns 0,
     * -ENOENT when there is no such user, or another negative errno. */
    int (*user_by_name)(void *arg, const char *name, uid_t *uid, gid_t *gid);
    /* Fills the name (up to len bytes with its NUL) and primary group of a
     * uid. Returns 0, -ENOENT when the uid has no passwd entry. */
    int (*user_by_uid)(void *arg, uid_t uid, char *name, size_t len, gid_t *gid);
    /* Fills *gid of a group name. Returns 0, -ENOENT, or a negative errno. */
    int (*group_by_name)(void *arg, const char *name, gid_t *gid);
    /* Fills groups (capacity *n) with the groups of user, gid included, and
     * sets *n to their number. Returns 0, or -ERANGE with *n the size needed. */
    int (*group_list)(void *arg, const char *user, gid_t gid, gid_t *groups, size_t *n);
    /* Returns 0 when path is an executable regular file, else a negative
     * errno (-ENOENT, -EACCES, ...). */
    int (*exec_check)(void *arg, const char *path);
    /* Fills the effective uid and gid corral runs with. */
    void (*own_ids)(void *arg, uid_t *uid, gid_t *gid);
    /* The files are meant for another root filesystem (an image): users,
     * groups, command paths and env_files are not looked up on this machine
     * (`corralctl check --no-resolve`). */
    bool no_resolve;
    /* user: and group: are not compared with this process's ids: the files
     * are checked by another program than the corral that will run them,
     * which may be root (corralctl). */
    bool any_ids;
};

/* ---- services --------------------------------------------------------- */

enum conf_type {
    CONF_TYPE_LONGRUN,
    CONF_TYPE_ONESHOT,
};

enum conf_restart {
    CONF_RESTART_ALWAYS,
    CONF_RESTART_ON_FAILURE,
    CONF_RESTART_NEVER,
};

enum conf_condition {
    CONF_COND_STARTED,   /* spawned */
    CONF_COND_READY,     /* its readiness check passed (running, until readiness lands) */
    CONF_COND_HEALTHY,   /* its health check passed once */
    CONF_COND_COMPLETED, /* a oneshot that exited with a success code */
    CONF_COND_FINISHED,  /* a oneshot that has exited, whatever its code, or was stopped */
};

enum conf_probe_kind {
    CONF_PROBE_NONE,
    CONF_PROBE_NOTIFY_FD,      /* readiness only: a newline on fd $NOTIFY_FD */
    CONF_PROBE_NOTIFY_SYSTEMD, /* readiness only: sd_notify READY=1 on $NOTIFY_SOCKET */
    CONF_PROBE_EXEC,
    CONF_PROBE_TCP,
    CONF_PROBE_HTTP,
    CONF_PROBE_LOG, /* readiness only: a line of output matches */
};

/* A readiness or health check. Which fields mean something depends on kind. */
struct conf_probe {
    enum conf_probe_kind kind;
    char **argv;    /* EXEC: NULL-terminated */
    char *host;     /* TCP, HTTP: "127.0.0.1", "::1" (no brackets) */
    uint16_t port;  /* TCP, HTTP (80 when the URL names none) */
    char *url;      /* HTTP: "http://host:port/path", as written */
    char *path;     /* HTTP: the request path, "/" at least */
    char *pattern;  /* LOG: the regex as written */
    regex_t regex;  /* LOG: compiled with REG_EXTENDED | REG_NOSUB */
    bool has_regex; /* regex must be regfree'd */
    uint64_t interval_ms;
    uint64_t timeout_ms;
    uint32_t retries;         /* health only */
    uint64_t start_period_ms; /* health only: failures before this don't count */
};

struct conf_dep {
    char *name;
    enum conf_condition condition;
    size_t index; /* in conf_set.services, set once the set is built */
    unsigned line, col;
};

struct conf_kv {
    char *key;
    char *value;
};

struct conf_backoff {
    uint64_t initial_ms;
    uint64_t max_ms;
    double factor;
    uint64_t reset_after_ms;
};

struct conf_start_limit {
    uint32_t burst;
    uint64_t interval_ms;
};

/* Bits of conf_logs.sinks. */
#define CONF_LOG_PREFIX 0x1u /* "NAME | line" on corral's stdout/stderr */
#define CONF_LOG_JSON   0x2u /* one JSON object per line on corral's stdout */
#define CONF_LOG_FILE   0x4u /* appended to logs.file, rotated by size */

enum conf_overflow {
    CONF_OVERFLOW_BLOCK, /* stop reading the service's pipe: it blocks on write */
    CONF_OVERFLOW_DROP,  /* drop lines, count them */
};

struct conf_logs {
    unsigned sinks; /* CONF_LOG_* bits; 0 = none */
    char *file;
    uint64_t max_size;
    uint32_t keep;
    bool raw; /* lines go out unprefixed (a main command that formats its own) */
    enum conf_overflow overflow;
    uint64_t ring_size; /* bytes kept for `corralctl logs` */
};

#define CONF_RLIM_UNLIMITED UINT64_MAX

struct conf_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft;
    uint64_t hard;
};

/* A crontab(5) schedule as sets: bit N of each mask is value N
 * (conf/cronexpr.c). */
struct conf_cron {
    uint64_t minutes;   /* 0-59 */
    uint32_t hours;     /* 0-23 */
    uint32_t days;      /* day of month, 1-31 */
    uint16_t months;    /* 1-12 */
    uint8_t weekdays;   /* 0 (Sunday) - 6; 7 in the text is Sunday too */
    bool days_star;     /* the day-of-month field began with '*' */
    bool weekdays_star; /* the day-of-week field began with '*' */
    bool clock_star;    /* the minute or the hour field began with '*' */
};

/* What a scheduled job does when its time comes while its last run still
 * goes. */
enum conf_overlap {
    CONF_OVERLAP_SKIP,  /* this time is skipped, and counted */
    CONF_OVERLAP_QUEUE, /* it runs once the last run has ended */
};

struct conf_service {
    char *name;  /* file stem, or "main" */
    char *file;  /* label used in errors: "services.d/web.yaml" */
    char **argv; /* NULL-terminated; a string command is {"/bin/sh", "-c", s} */
    size_t argc;
    bool shell; /* the command was a string */
    enum conf_type type;
    bool main;
    bool critical;
    char *directory; /* NULL: corral's own */
    char *user;      /* as written, NULL when unset */
    char *group;     /* as written, NULL when unset */
    bool set_ids;    /* user or group given: uid/gid/groups are valid */
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* supplementary groups (gid included) for setgroups(2) */
    size_t ngroups;
    bool set_umask;
    mode_t umask;
    struct conf_kv *environment; /* in file order, values expanded */
    size_t n_environment;
    bool clear_env;
    char *env_file;                /* path, expanded, relative to the service's directory */
    struct conf_kv *env_file_vars; /* its KEY=VALUE lines, in order; environment wins */
    size_t n_env_file_vars;
    struct conf_dep *deps;
    size_t n_deps;
    bool depends_on_given; /* the file has a depends_on key, maybe an empty one */
    size_t *dependents;    /* indexes of the services that depend on this one */
    size_t n_dependents;
    struct conf_probe readiness; /* kind NONE: ready as soon as running */
    struct conf_probe health;    /* kind NONE: no health check */
    enum conf_restart restart;
    uint8_t success_codes[32]; /* bitmap of exit codes 0-255; see conf_is_success() */
    struct conf_backoff backoff;
    struct conf_start_limit start_limit;
    int stop_signal;
    bool stop_signal_given; /* the file has a stop_signal key */
    bool signal_process;    /* signal_to: process: stop_signal and `signal` reach the main
                             * process only (SIGKILL still reaches the whole tree) */
    uint64_t stop_timeout_ms;
    bool stop_timeout_given; /* the file has a stop_timeout key */
    struct conf_logs logs;
    struct conf_rlimit *rlimits;
    size_t n_rlimits;
    /* A scheduled oneshot: `schedule` (crontab times, UTC or corral's
     * local time) or `every`. */
    char *schedule;        /* as written; NULL when none */
    struct conf_cron cron; /* valid when schedule is set */
    bool schedule_local;   /* timezone: local */
    uint64_t every_ms;     /* 0 when none */
    enum conf_overlap overlap;
    uint64_t run_timeout_ms; /* 0: a run may take as long as it takes */
    bool autostart;          /* false: installed, not started until `corralctl start` */
    char **finish_argv;      /* NULL: none; run after each exit, before any restart */
    uint64_t finish_timeout_ms;
    char **stop_argv; /* NULL: none; run instead of sending stop_signal */
    /* instances: N runs N copies of the file, NAME.1 .. NAME.N, each a
     * service of its own (docs/configuration.md, "Instances"). */
    char *base;              /* the file's stem; NULL without instances: */
    uint32_t instance;       /* 1 .. instances; 0 without instances: */
    uint32_t instances;      /* how many run (the file's, or corralctl scale's) */
    uint32_t instances_file; /* instances: as written; 0 when absent */
    unsigned instances_line; /* where instances: is written, for errors */
    unsigned instances_col;
    char **member_of; /* groups: as written, then base for an instance; NULL-terminated */
    size_t n_member_of;
};

/* A finish command that exits with this code says: do not restart the
 * service (s6-supervise's convention for ./finish). */
#define CONF_FINISH_NO_RESTART 125

/* True when s is a member of group (groups: lists it, or s is an instance
 * of the file called group). */
bool conf_service_in_group(const struct conf_service *s, const char *group);

/* A loaded, validated directory: services sorted by name, a start order
 * (dependencies first, ties broken by name) and the files that were skipped. */
struct conf_set {
    struct conf_service **services;
    size_t n;
    size_t *start_order; /* n indexes into services; stop in the reverse order */
    char **ignored;      /* names of files in the directory that are not services */
    size_t n_ignored;
};

/* Loads every NAME.yaml / NAME.yml of dir (NAME matches [a-z0-9_.-]+ and does
 * not start with a dot; other entries go to ignored), checks each file, the
 * dependencies between them, resolves users and groups and reads env_files.
 * A symbolic link counts as the file it points to; a NAME.yaml that is a
 * broken link or a link loop is an error at that file. env may be NULL.
 * Error labels are "DIR/NAME.yaml" as dir was given.
 * Returns 0 and *out (the caller owns it: conf_set_free), with any warnings
 * appended to errs; or a negative errno with *out NULL and every error (and
 * warning) found appended to errs (-EINVAL for configuration errors, -ENOENT
 * when dir does not exist, ...). */
int conf_load_dir(const char *dir, const struct conf_env *env, struct conf_set **out,
                  struct conf_errors *errs);

/* A count of instances that replaces the file's (corralctl scale): it
 * applies to the file called name while that file's instances: still says
 * file_count (0: whatever it says). */
struct conf_scale {
    const char *name;
    uint32_t count; /* 1 .. CONF_INSTANCES_MAX */
    uint32_t file_count;
};

/* conf_load_dir with counts of instances that replace the files' own
 * (scales[0..n_scales), the first one naming a file wins). */
int conf_load_dir_scaled(const char *dir, const struct conf_env *env,
                         const struct conf_scale *scales, size_t n_scales, struct conf_set **out,
                         struct conf_errors *errs);

/* How many instances of a file whose instances: says file_count run under
 * scales. Pure. */
uint32_t conf_scale_count(const char *name, uint32_t file_count, const struct conf_scale *scales,
                          size_t n_scales);

/* Loads one service from memory, as if it were the only file of a directory
 * (a depends_on naming another service is therefore an error unless
 * check_deps is false). file_label names it in errors; a relative env_file is
 * taken relative to the current directory. Same return contract as
 * conf_load_dir. */
int conf_load_buffer(const char *name, const char *file_label, const char *data, size_t len,
                     const struct conf_env *env, bool check_deps, struct conf_service **out,
                     struct conf_errors *errs);

/* An empty set, for pure init mode (no services directory). Returns 0 or
 * -ENOMEM. */
int conf_set_new(struct conf_set **out);

/* Adds the implicit service `main` for `corral -- CMD ARGS...`: argv is copied
 * and exec'd as is, main: true, restart: never. Its other keys come from
 * *section (corral.yaml's main: section, taken over and set to NULL, freed on
 * failure) when section and *section are not NULL, else from the defaults.
 * Unless the section has depends_on, main waits for every oneshot of the set
 * to finish (condition finished), as startup scripts run before the command.
 * A service file named main beside it is an error (-EEXIST, with the error in
 * errs naming that file). On failure the set is unchanged. */
int conf_set_add_main(struct conf_set *set, char *const argv[], struct conf_service **section,
                      struct conf_errors *errs);

/* Loads a directory of scripts (startup_scripts and the shutdown ones of
 * corral.yaml): each executable regular file (or link to one) is a oneshot
 * service named after the file, running it with no argument, restart: never;
 * start_order is the lexical order of the names. Other entries go to ignored;
 * dot files are skipped. A directory that does not exist is an empty set and
 * a warning in errs. Returns 0 and *out (the caller's: conf_set_free), or a
 * negative errno with the error in errs and *out NULL. */
int conf_scripts_load(const char *dir, struct conf_set **out, struct conf_errors *errs);

/* Reads a directory of NAME files (corral.yaml's container_environment):
 * each file whose name is a variable name is one variable, its content the
 * value less one trailing newline. Dot files are skipped; other names, and
 * files that cannot be read or hold a NUL byte, are skipped with a warning
 * in errs. At most CONF_ENTRIES_MAX variables and 1 MiB in all. Returns 0
 * and *vars (sorted by name; conf_envdir_free) with *n, or a negative errno
 * with the error in errs. */
int conf_envdir_read(const char *dir, struct conf_kv **vars, size_t *n, struct conf_errors *errs);
void conf_envdir_free(struct conf_kv *vars, size_t n);

/* Returns the service called name, or NULL. */
struct conf_service *conf_set_find(const struct conf_set *set, const char *name);
/* The position of the service called name in set->services (which is in
 * name order), or -1: a binary search. */
long conf_set_position(const struct conf_set *set, const char *name);

/* Frees a set and every service in it. NULL is a no-op. */
void conf_set_free(struct conf_set *set);

/* Frees one service from conf_load_buffer. NULL is a no-op. */
void conf_service_free(struct conf_service *s);

/* True when exit code is listed in s->success_codes. */
bool conf_is_success(const struct conf_service *s, int code);

/* Names of enum values as written in the files ("ready", "oneshot", ...). */
const char *conf_condition_name(enum conf_condition c);
const char *conf_type_name(enum conf_type t);
const char *conf_restart_name(enum conf_restart r);

/* ---- corral.yaml -------------------------------------------------------- */

enum conf_log_format {
    CONF_LOG_FORMAT_TEXT,
    CONF_LOG_FORMAT_JSON,
};

enum conf_log_level {
    CONF_LOG_LEVEL_ERROR,
    CONF_LOG_LEVEL_WARN,
    CONF_LOG_LEVEL_INFO,
    CONF_LOG_LEVEL_DEBUG,
};

/* corral.yaml's `syslog:`: corral listens on a datagram socket for
 * syslog(3) messages (docs/logging.md "syslog"). */
struct conf_syslog {
    bool enabled;    /* the key is there */
    char *path;      /* "/dev/log" unless set */
    char *name;      /* the name senders of no service are shown under: "syslog" */
    uint64_t buffer; /* the socket's receive buffer (SO_RCVBUF), bytes */
};

#define CONF_SYSLOG_BUFFER_DEFAULT (256 * 1024)

struct conf_global {
    char *services_dir; /* NULL: not set (the daemon applies its own rules) */
    char *socket_path;  /* NULL: not set */
    uint64_t shutdown_timeout_ms;
    uint64_t kill_grace_ms; /* between kill(-1, SIGTERM) and kill(-1, SIGKILL) */
    char *read_group;       /* NULL: not set */
    gid_t read_gid;
    char *admin_group; /* NULL: not set */
    gid_t admin_gid;
    enum conf_log_format log_format;
    enum conf_log_level log_level;
    bool timestamps;
    struct conf_syslog syslog;
    struct conf_service *main; /* the main: section, without a command; NULL: none */
    /* metrics: {listen: "HOST:PORT"}: GET /metrics over HTTP. NULL: off. */
    char *metrics_host; /* an IP literal (without brackets) or localhost */
    uint16_t metrics_port;
    char *startup_scripts;            /* NULL: none; run in order before any service */
    char *pre_shutdown_scripts;       /* NULL: none; run before the services stop */
    char *post_shutdown_scripts;      /* NULL: none; run once they have stopped */
    char *container_environment;      /* NULL: none; NAME files exported by scripts and oneshots */
    bool write_container_environment; /* write the final environment there, .sh and .json */
};

/* Fills g with the defaults (see docs/configuration.md). */
void conf_global_init(struct conf_global *g);

/* Frees what g holds and resets it to the defaults. */
void conf_global_close(struct conf_global *g);

/* Loads corral.yaml from path into g (which conf_global_init prepared).
 * A relative `services` is taken relative to the file's directory. When
 * missing_ok is true and the file does not exist, returns 0 with g at its
 * defaults. Returns 0 (warnings, if any, in errs), or a negative errno with
 * the errors in errs and g at its defaults. */
int conf_global_load(const char *path, bool missing_ok, const struct conf_env *env,
                     struct conf_global *g, struct conf_errors *errs);

/* The same from memory (the fuzzer, the tests). */
int conf_global_load_buffer(const char *file_label, const char *data, size_t len,
                            const struct conf_env *env, struct conf_global *g,
                            struct conf_errors *errs);

#endif
