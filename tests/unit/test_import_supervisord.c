/* test_import_supervisord.c - `corral import supervisord`: the golden
 * import of an nginx + php-fpm + Laravel stack laid out the Debian way
 * (tests/import/supervisord), and each [program:x] mapping on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_import_fixture.h"

static void the_nginx_php_fpm_stack_matches_its_golden_files(void **state)
{
    (void)state;
    struct imp m;
    fx_golden(&m, "supervisord", "supervisord", "/etc/supervisor/supervisord.conf");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "stdout_events_enabled=true", "no log events"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "[eventlistener:supervisord-watchdog]",
                            "critical: true on every program"));
    assert_true(fx_reported(&m, IMP_CHANGED, "process_name=", "NAME.1 .. NAME.N"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "[supervisord] pidfile", "PID 1"));
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:nginx] startsecs=3", "readiness check"));
    imp_free(&m);
}

static void priority_orders_programs_by_condition_started(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:web]\ncommand=web\npriority=20\n"
                         "[program:db]\ncommand=db\npriority=1\n"
                         "[program:app]\ncommand=app\npriority=10\n"
                         "[program:other]\ncommand=other\npriority=10\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *web = fx_service(&m, "web"), *app = fx_service(&m, "app"), *db = fx_service(&m, "db");
    assert_contains(web, "  app: {condition: started}  # priority 10 before 20\n");
    assert_contains(web, "  other: {condition: started}");
    assert_lacks(web, "db:");
    assert_contains(app, "  db: {condition: started}  # priority 1 before 10\n");
    assert_lacks(db, "depends_on");
    free(web);
    free(app);
    free(db);
    imp_free(&m);
    fx_rmtree(root);
}

static void include_globs_are_relative_to_the_including_file(void **state)
{
    (void)state;
    char *root = fx_tree("/etc/sup/main.conf", "[include]\nfiles = conf.d/*.ini other.conf\n",
                         "/etc/sup/conf.d/a.ini", "[program:a]\ncommand=a\n",
                         "/etc/sup/conf.d/b.ini", "[program:b]\ncommand=b\n", "/etc/sup/other.conf",
                         "[program:c]\ncommand=c\n", NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/etc/sup/main.conf", root);
    assert_non_null(imp_find(&m, "a"));
    assert_non_null(imp_find(&m, "b"));
    assert_non_null(imp_find(&m, "c"));
    imp_free(&m);
    fx_rmtree(root);
}

static void expansions_become_corral_variables_and_literal_braces_are_escaped(void **state)
{
    (void)state;
    char *root = fx_tree("/etc/s.conf",
                         "[program:x]\n"
                         "command=/bin/sh -c \"echo ${HOME} %(ENV_USER)s 100%% %(program_name)s\"\n"
                         "directory=%(here)s/app\n"
                         "environment=A=\"%(ENV_A)s\",B='two words',C=plain\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/etc/s.conf", root);
    char *x = fx_service(&m, "x");
    assert_contains(x, "command: [\"/bin/sh\", \"-c\", \"echo $${HOME} ${USER} 100% x\"]");
    assert_contains(x, "directory: /etc/app");
    assert_contains(x, "environment: {A: \"${A}\", B: \"two words\", C: plain}");
    free(x);
    imp_free(&m);
    fx_rmtree(root);
}

static void autorestart_and_exitcodes_become_restart_and_success_codes(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nautorestart=true\n"
                         "[program:b]\ncommand=b\nautorestart=false\n"
                         "[program:c]\ncommand=c\nexitcodes=0,3\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    assert_contains(a, "restart: always  # autorestart=true");
    assert_contains(b, "restart: never  # autorestart=false");
    assert_contains(c, "restart: on-failure  # autorestart=unexpected, supervisord's default");
    assert_contains(c, "success_codes: [0, 3]");
    free(a);
    free(b);
    free(c);
    imp_free(&m);
    fx_rmtree(root);
}

static void startsecs_and_startretries_keep_supervisords_spacing(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf", "[program:a]\ncommand=a\nstartsecs=3\nstartretries=5\n", NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a");
    /* Delays 0, 1, 2, 4, 5 s (capped at startretries) and 6 runs of under
     * 3 s each fit in 1 + 18 + 12 + 5 = 36 s: the 7th start is refused. */
    assert_contains(a, "backoff: {initial: 1s, max: 5s, reset_after: 3s}");
    assert_contains(a, "start_limit: {burst: 6, interval: 36s}");
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void stop_and_user_keys_map_one_to_one(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nstopsignal=QUIT\nstopwaitsecs=20\n"
                         "user=www-data\numask=022\nautostart=false\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "stop_signal: QUIT");
    assert_contains(a, "stop_timeout: 20s");
    assert_contains(a, "user: www-data");
    assert_contains(a, "umask: \"0022\"");
    assert_contains(a, "autostart: false");
    assert_contains(a, "signal_to: process  # stopasgroup=false, supervisord's default\n");
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void numprocs_becomes_instances_and_a_group_becomes_groups(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:w]\ncommand=w --id %(process_num)02d\nnumprocs=3\n"
                         "process_name=%(program_name)s_%(process_num)02d\n"
                         "[group:workers]\nprograms=w\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *w = fx_service(&m, "w");
    assert_contains(w, "instances: 3  # numprocs=3");
    assert_contains(w, "command: [\"w\", \"--id\", \"${CORRAL_INSTANCE}\"]");
    assert_true(fx_reported(&m, IMP_CHANGED, "command=", "without zero padding"));
    assert_contains(w, "groups: [\"workers\"]  # [group:workers]");
    free(w);
    imp_free(&m);
    fx_rmtree(root);
}

static void log_files_keep_their_size_and_backups(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nstopasgroup=true\nstdout_logfile=/var/log/a.log\n"
                         "stdout_logfile_maxbytes=50MB\nstdout_logfile_backups=3\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "  file: /var/log/a.log");
    assert_contains(a, "  stdout: file\n");
    assert_contains(a, "  max_size: 50MiB");
    assert_contains(a, "  keep: 3");
    assert_lacks(a, "signal_to"); /* stopasgroup=true: corral's default */
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void every_key_it_cannot_map_is_in_the_report(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nserverurl=AUTO\nstdout_syslog=true\n"
                         "frobnicate=1\n"
                         "[eventlistener:mem]\ncommand=memmon -a 200MB\nevents=TICK_60\n"
                         "[fcgi-program:php]\ncommand=php-cgi\nsocket=tcp://127.0.0.1:9000\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    assert_true(fx_reported(&m, IMP_UNMAPPED, "serverurl=AUTO", "no XML-RPC"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "stdout_syslog=true", "syslog"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "frobnicate=1", "not a key supervisord documents"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "[eventlistener:mem]", "corralctl events"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "[fcgi-program:php]", "FastCGI"));
    char *a = fx_service(&m, "a");
    assert_lacks(a, "critical");
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_name_corral_cannot_take_is_made_one_and_reported(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:]\ncommand=a\n[program:Web UI]\ncommand=b\n"
                         "[program:main]\ncommand=c\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    assert_non_null(imp_find(&m, "service"));
    assert_non_null(imp_find(&m, "web-ui"));
    assert_non_null(imp_find(&m, "main-2")); /* main is corral -- COMMAND's */
    assert_true(fx_reported(&m, IMP_CHANGED, "Web UI", "named web-ui"));
    imp_free(&m);
    fx_rmtree(root);
}

static void the_supervisord_section_reaches_every_program(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[supervisord]\nenvironment=A=\"global\",B=\"global\"\nminfds=4096\n"
                         "loglevel=blather\n"
                         "[program:x]\ncommand=x\nenvironment=B=\"own\"\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *x = fx_service(&m, "x");
    assert_contains(x, "  A: global  # [supervisord] environment, /s.conf:2\n  B: own\n");
    assert_contains(x, "rlimits: {nofile: 4096}");
    char *glob = imp_render_global(&m);
    assert_contains(glob, "log_level: debug");
    free(glob);
    free(x);
    imp_free(&m);
    fx_rmtree(root);
}

/* numprocs past CONF_INSTANCES_MAX and an environment name corral's
 * loader refuses are reported, never written into a file `corral --check`
 * then rejects. */
static void numprocs_past_corrals_cap_and_bad_variable_names_are_reported(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:w]\ncommand=w\nnumprocs=1000\n"
                         "process_name=%(program_name)s_%(process_num)02d\n"
                         "environment=A-B=\"x\",C=z\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *w = fx_service(&m, "w");
    assert_contains(w, "instances: 100  # numprocs=1000, line 3\n");
    assert_contains(w, "environment: {C: z}");
    assert_true(fx_reported(&m, IMP_CHANGED, "numprocs", "at most 100 instances"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "environment", "\"A-B\" is not a variable name"));
    free(w);
    imp_free(&m);
    fx_rmtree(root);
}

/* An empty command= (supervisord refuses it) leaves the program out; a
 * relative directory, relative to supervisord's own working directory, is
 * reported; %(here)s makes one absolute. */
static void an_empty_command_and_a_relative_directory_are_reported(void **state)
{
    (void)state;
    char *root = fx_tree("/etc/s.conf",
                         "[program:empty]\ncommand=\n"
                         "[program:rel]\ncommand=run\ndirectory=app\n"
                         "[program:here]\ncommand=run\ndirectory=%(here)s/app\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/etc/s.conf", root);
    assert_null(imp_find(&m, "empty"));
    char *rel = fx_service(&m, "rel"), *here = fx_service(&m, "here");
    assert_lacks(rel, "directory");
    assert_contains(here, "directory: /etc/app  # line 8\n");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "[program:empty]", "an empty command="));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "directory", "relative to supervisord's own"));
    free(rel);
    free(here);
    imp_free(&m);
    fx_rmtree(root);
}

/* supervisord refuses a user= that names no user of the system, and
 * corral reads user: as written: a program whose user= cannot name one is
 * left out by the mapper, with the reason, rather than run as corral's own
 * user (which the last check would leave it, taking out user:). */
static void a_user_that_names_no_user_leaves_the_program_out(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:empty]\ncommand=a\nuser=\n"
                         "[program:colon]\ncommand=a\nuser=www:www\n"
                         "[program:var]\ncommand=a\nuser=%(ENV_APP_USER)s\n"
                         "[program:big]\ncommand=a\nuser=4294967295\n"
                         "[program:neg]\ncommand=a\nuser=-1\n"
                         "[program:uid]\ncommand=a\nuser=33\n"
                         "[program:name]\ncommand=a\nuser=nobody\n"
                         "[program:zeros]\ncommand=a\nuser=00000000001\n"
                         "[program:zbig]\ncommand=a\nuser=0004294967295\n"
                         "[program:plus]\ncommand=a\nuser=+1_000\n"
                         "[program:ghost]\ncommand=a\nuser=4242\n",
                         "/etc/passwd",
                         "root:x:0:0::/:/bin/sh\nd:x:1:1::/:/bin/sh\nw:x:33:33::/:/bin/sh\n"
                         "app:x:1000:1000::/:/bin/sh\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    const char *gone[] = {"empty", "colon", "var", "big", "neg", "zbig", "ghost"};
    for (size_t k = 0; k < sizeof gone / sizeof *gone; k++)
        assert_null(imp_find(&m, gone[k]));
    char *uid = fx_service(&m, "uid"), *name = fx_service(&m, "name");
    assert_contains(uid, "user: \"33\"");
    assert_contains(name, "user: nobody");
    /* Python's int(): leading zeros, a sign, underscores; written as
     * corral reads a uid. */
    char *zeros = fx_service(&m, "zeros"), *plus = fx_service(&m, "plus");
    assert_contains(zeros, "user: \"1\"  # user=00000000001");
    assert_contains(plus, "user: \"1000\"  # user=+1_000");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=0004294967295", "not a uid from 0"));
    free(zeros);
    free(plus);
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "[program:empty] user=", "an empty user= names no user");
    assert_non_null(it);
    assert_string_equal(it->where, "/s.conf:3");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=www:www", "write user: and group:"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=%(ENV_APP_USER)s", "without variables"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=4294967295", "not a uid from 0"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=-1", "not a uid from 0"));
    /* name_to_uid refuses a uid no user has (getpwuid: "Invalid user id"). */
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=4242", "\"Invalid user id\""));
    assert_false(fx_check_took_out(&m));
    free(uid);
    free(name);
    imp_free(&m);
    fx_rmtree(root);

    /* No /etc/passwd to say whether a user has the uid: left out. */
    root = fx_tree("/s.conf", "[program:uid]\ncommand=a\nuser=33\n", NULL);
    fx_import(&m, "supervisord", "/s.conf", root);
    assert_null(imp_find(&m, "uid"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "user=33", "/etc/passwd cannot be read"));
    imp_free(&m);
    fx_rmtree(root);
}

/* umask= as supervisord reads it (Python's int(value, 8): a sign, 0o,
 * underscores between digits, whitespace around) and umask(2) applies it
 * (the permission bits of the int os.umask takes, a negative one in two's
 * complement), reported past 0777, where the last check would drop it for
 * corral's "0000" to "0777". A value int() refuses (supervisord refuses
 * the file) or past a C int (os.umask raises OverflowError in the child)
 * leaves the program out: it never ran, and corral's umask could give it
 * more. */
static void a_umask_becomes_the_mask_umask_2_would_apply(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\numask=1777\n"
                         "[program:b]\ncommand=b\numask=00022\n"
                         "[program:c]\ncommand=c\numask=0o27\n"
                         "[program:d]\ncommand=d\numask=089\n"
                         "[program:e]\ncommand=e\numask=77777777777\n"
                         "[program:f]\ncommand=f\numask=+0_77\n"
                         "[program:g]\ncommand=g\numask=0O_0_2_7\n"
                         "[program:h]\ncommand=h\numask=-0o22\n"
                         "[program:i]\ncommand=i\numask=0O17777777777\n"
                         "[program:j]\ncommand=j\numask=0o20000000000\n"
                         "[program:k]\ncommand=k\numask=-0o20000000000\n"
                         "[program:l]\ncommand=l\numask=-0o20000000001\n"
                         "[program:m]\ncommand=m\numask=1__7\n"
                         "[program:n]\ncommand=n\numask=7_\n"
                         "[program:o]\ncommand=o\numask=0o\n"
                         "[program:p]\ncommand=p\numask=\n"
                         "[program:q]\ncommand=q\numask=00000000000000000000000000022\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    const char *want[][2] = {
        {"a", "umask: \"0777\"  # line 3"}, {"b", "umask: \"0022\""}, {"c", "umask: \"0027\""},
        {"f", "umask: \"0077\""},           {"g", "umask: \"0027\""}, {"h", "umask: \"0756\""},
        {"i", "umask: \"0777\""},           {"k", "umask: \"0000\""}, {"q", "umask: \"0022\""},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *t = fx_service(&m, want[i][0]);
        assert_contains(t, want[i][1]);
        free(t);
    }
    for (const char *n = "dejlmnop"; *n; n++) {
        char name[2] = {*n, 0};
        assert_null(imp_find(&m, name));
    }
    assert_true(fx_reported(&m, IMP_CHANGED, "umask=1777", "keeps only the permission bits"));
    assert_true(fx_reported(&m, IMP_CHANGED, "umask=-0o22", "two's complement"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "umask=089", "supervisord refuses the file"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "umask=1__7", "supervisord refuses the file"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "umask=77777777777", "OverflowError"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "umask=-0o20000000001", "OverflowError"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "umask=0o20000000000", "left out rather than"));
    assert_false(fx_check_took_out(&m));
    imp_free(&m);
    fx_rmtree(root);
}

/* command="" splits into one empty word: supervisord finds no program of
 * that name. The mapper leaves the program out with that reason; the
 * programs after it in priority order keep their place. */
static void a_command_whose_program_is_empty_leaves_the_program_out(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:quoted]\ncommand=\"\" --flag\npriority=1\n"
                         "[program:next]\ncommand=run\npriority=2\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    assert_null(imp_find(&m, "quoted"));
    char *next = fx_service(&m, "next");
    assert_lacks(next, "depends_on");
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "[program:quoted] command=", "is an empty string");
    assert_non_null(it);
    assert_string_equal(it->where, "/s.conf:2");
    assert_false(fx_check_took_out(&m));
    free(next);
    imp_free(&m);
    fx_rmtree(root);
}

/* A [group:x] whose name corral's groups: does not take (capitals, a
 * space, a leading dot) is renamed as a service name would be, reported
 * once at its section; its members stay in it, where the last check
 * would take groups: out of each. */
static void a_group_name_corral_does_not_take_is_made_one(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\n[program:b]\ncommand=b\n"
                         "[program:c]\ncommand=c\n"
                         "[group:Web Servers]\nprograms=a,b\n[group:.hidden]\nprograms=c\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    assert_contains(a, "groups: [\"web-servers\"]  # [group:Web Servers]\n");
    assert_contains(b, "groups: [\"web-servers\"]");
    assert_contains(c, "groups: [\"_hidden\"]  # [group:.hidden]\n");
    const struct imp_item *it = fx_item(&m, IMP_CHANGED, "Web Servers", "group named web-servers");
    assert_non_null(it);
    assert_string_equal(it->where, "/s.conf:7");
    size_t renames = 0; /* once for the group, not once per member */
    for (const struct imp_item *i = m.items; i; i = i->next)
        renames += strstr(i->why, "group named web-servers") != NULL;
    assert_int_equal(renames, 1);
    assert_true(fx_reported(&m, IMP_CHANGED, ".hidden", "group named _hidden"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    imp_free(&m);
    fx_rmtree(root);
}

/* Log values corral refuses are read as supervisord reads them, where
 * the last check would take logs: out whole (the file with it): an empty
 * stdout_logfile= or OFF is supervisord's NONE (logfile_name), no log;
 * a max size under corral's least is that least, reported. A stream
 * without a log beside one with a log (an unset one is supervisord's
 * AUTO) is not dropped: logs.stdout is one setting for both streams, and
 * none would drop the other stream too. */
static void log_values_corral_refuses_are_read_as_supervisord_reads_them(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nstdout_logfile=\nstderr_logfile=NONE\n"
                         "[program:b]\ncommand=b\nstdout_logfile=Off\nredirect_stderr=true\n"
                         "[program:c]\ncommand=c\nstdout_logfile=/var/log/c.log\n"
                         "stdout_logfile_maxbytes=1KB\n"
                         "[program:d]\ncommand=d\nstdout_logfile=/var/log/d.log\n"
                         "stdout_logfile_maxbytes=999999999999GB\n"
                         "[program:e]\ncommand=e\nstderr_logfile=\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e");
    assert_contains(a, "logs:\n  stdout: none  # stdout_logfile=, line 3\n");
    assert_contains(b, "logs:\n  stdout: none  # stdout_logfile=Off, line 7\n");
    assert_contains(c, "  file: /var/log/c.log  # stdout_logfile, line 11\n  stdout: file\n"
                       "  max_size: 4KiB  # stdout_logfile_maxbytes=1KB, line 12\n");
    assert_contains(d, "  file: /var/log/d.log  # stdout_logfile, line 15\n  stdout: file\n");
    assert_lacks(d, "max_size");
    assert_lacks(e, "logs");
    const struct imp_item *it = fx_item(
        &m, IMP_CHANGED, "[program:a] stdout_logfile=", "an empty path is supervisord's NONE");
    assert_non_null(it);
    assert_string_equal(it->where, "/s.conf:3");
    assert_true(
        fx_reported(&m, IMP_CHANGED, "[program:b] stdout_logfile=Off", "supervisord's NONE"));
    assert_true(fx_reported(&m, IMP_CHANGED, "stdout_logfile_maxbytes=1KB", "rotated at 4KiB"));
    assert_true(fx_reported(&m, IMP_CHANGED, "maxbytes=999999999999GB", "stays 10MiB"));
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:e] stderr_logfile=",
                            "supervisord drops stderr and keeps stdout"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

/* stdout_logfile=NONE beside a stderr_logfile: the stderr file is the
 * service's log and holds stdout too (reported), where logs.stdout: none
 * beside logs.file was refused by corral and the last check took logs:
 * out, the file with it. */
static void no_stdout_log_beside_a_stderr_file_keeps_the_file(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nstdout_logfile=NONE\n"
                         "stderr_logfile=/var/log/a.err\n"
                         "[program:b]\ncommand=b\nstdout_logfile=\n"
                         "stderr_logfile=/var/log/b.err\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b");
    assert_contains(a, "logs:\n  file: /var/log/a.err  # stderr_logfile, line 4\n  stdout: both\n");
    assert_contains(b, "logs:\n  file: /var/log/b.err  # stderr_logfile, line 8\n  stdout: both\n");
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:a] stderr_logfile", "holds stdout too"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    imp_free(&m);
    fx_rmtree(root);
}

/* Where supervisord drops one stream and keeps the other, corral, whose
 * logs.stdout is one setting for both, keeps both where the kept one goes,
 * reported: logs.stdout: none would drop the kept stream too. A log file
 * for stdout alone holds stderr too under corral, reported. */
static void one_stream_without_a_log_keeps_the_other(void **state)
{
    (void)state;
    char *root = fx_tree("/s.conf",
                         "[program:a]\ncommand=a\nstdout_logfile=NONE\n"
                         "[program:b]\ncommand=b\nstdout_logfile=NONE\n"
                         "stderr_logfile=/dev/stderr\n"
                         "[program:c]\ncommand=c\nstdout_logfile=/var/log/c.log\n"
                         "stderr_logfile=NONE\n"
                         "[program:d]\ncommand=d\nstdout_logfile=/var/log/d.log\n"
                         "[program:e]\ncommand=e\nstdout_logfile=NONE\nstderr_logfile=NONE\n",
                         NULL);
    struct imp m;
    fx_import(&m, "supervisord", "/s.conf", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e");
    assert_lacks(a, "logs");
    assert_lacks(b, "logs");
    assert_contains(c,
                    "logs:\n  file: /var/log/c.log  # stdout_logfile, line 10\n  stdout: file\n");
    assert_contains(d,
                    "logs:\n  file: /var/log/d.log  # stdout_logfile, line 14\n  stdout: file\n");
    assert_contains(e, "logs:\n  stdout: none  # stdout_logfile=NONE, line 17\n");
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:a] stdout_logfile=NONE",
                            "supervisord drops stdout and keeps stderr"));
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:b] stdout_logfile=NONE",
                            "goes to corral's stdout and stderr, prefixed"));
    assert_false(fx_reported(&m, IMP_UNNEEDED, "[program:b] stdout_logfile", ""));
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:c] stderr_logfile=NONE",
                            "goes into the log file (logs.stdout: file)"));
    assert_true(fx_reported(&m, IMP_CHANGED, "[program:d] stdout_logfile=/var/log/d.log",
                            "stderr goes into this one too"));
    assert_false(fx_reported(&m, IMP_CHANGED, "[program:e]", ""));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_nginx_php_fpm_stack_matches_its_golden_files),
        cmocka_unit_test(numprocs_past_corrals_cap_and_bad_variable_names_are_reported),
        cmocka_unit_test(an_empty_command_and_a_relative_directory_are_reported),
        cmocka_unit_test(priority_orders_programs_by_condition_started),
        cmocka_unit_test(include_globs_are_relative_to_the_including_file),
        cmocka_unit_test(expansions_become_corral_variables_and_literal_braces_are_escaped),
        cmocka_unit_test(autorestart_and_exitcodes_become_restart_and_success_codes),
        cmocka_unit_test(startsecs_and_startretries_keep_supervisords_spacing),
        cmocka_unit_test(stop_and_user_keys_map_one_to_one),
        cmocka_unit_test(numprocs_becomes_instances_and_a_group_becomes_groups),
        cmocka_unit_test(log_files_keep_their_size_and_backups),
        cmocka_unit_test(every_key_it_cannot_map_is_in_the_report),
        cmocka_unit_test(a_name_corral_cannot_take_is_made_one_and_reported),
        cmocka_unit_test(the_supervisord_section_reaches_every_program),
        cmocka_unit_test(a_user_that_names_no_user_leaves_the_program_out),
        cmocka_unit_test(a_umask_becomes_the_mask_umask_2_would_apply),
        cmocka_unit_test(a_command_whose_program_is_empty_leaves_the_program_out),
        cmocka_unit_test(a_group_name_corral_does_not_take_is_made_one),
        cmocka_unit_test(log_values_corral_refuses_are_read_as_supervisord_reads_them),
        cmocka_unit_test(no_stdout_log_beside_a_stderr_file_keeps_the_file),
        cmocka_unit_test(one_stream_without_a_log_keeps_the_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
