/* test_conf_dir.c - a services directory as a whole: which files count,
 * dependencies between files, cycles, start order and dependents, errors
 * from several files at once, and the implicit main service. Each test writes
 * its fixtures into its own mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

static char *const dir = fix_dir; /* fix_dir_setup makes it for each test */

static int load(struct conf_set **set)
{
    struct conf_errors e;
    conf_errors_init(&e);
    int rc = conf_load_dir(dir, &fix_env, set, &e);
    fix_errors_text(&e);
    conf_errors_close(&e);
    return rc;
}

/* The error text with the temporary directory replaced by "D". */
static const char *errors_in_d(void)
{
    static char out[sizeof fix_text];
    size_t dl = strlen(dir), o = 0;
    for (const char *p = fix_text; *p && o + 2 < sizeof out;) {
        if (strncmp(p, dir, dl) == 0) {
            out[o++] = 'D';
            p += dl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static void services_are_sorted_by_name_and_started_after_their_dependencies(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [db, prep]\n");
    fix_write(dir, "db.yaml", "command: [db]\ndepends_on: {prep: {condition: completed}}\n");
    fix_write(dir, "prep.yml", "command: [prep]\ntype: oneshot\n");
    fix_write(dir, "cron.yaml", "command: [cron]\n");
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 4);
    assert_string_equal(set->services[0]->name, "cron");
    assert_string_equal(set->services[1]->name, "db");
    assert_string_equal(set->services[2]->name, "prep");
    assert_string_equal(set->services[3]->name, "web");
    const char *want[] = {"cron", "prep", "db", "web"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(set->services[set->start_order[i]]->name, want[i]);
    conf_set_free(set);
}

static void dependencies_carry_the_index_of_their_target(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [db]\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), 0);
    struct conf_service *web = conf_set_find(set, "web");
    assert_non_null(web);
    assert_int_equal(web->deps[0].index, 0);
    assert_ptr_equal(set->services[web->deps[0].index], conf_set_find(set, "db"));
    assert_null(conf_set_find(set, "nope"));
    conf_set_free(set);
}

static void each_service_lists_its_dependents_for_the_reverse_stop(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "a.yaml", "command: [a]\ndepends_on: [db]\n");
    fix_write(dir, "b.yaml", "command: [b]\ndepends_on: [db]\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), 0);
    struct conf_service *db = conf_set_find(set, "db");
    assert_int_equal(db->n_dependents, 2);
    assert_string_equal(set->services[db->dependents[0]]->name, "a");
    assert_string_equal(set->services[db->dependents[1]]->name, "b");
    assert_int_equal(conf_set_find(set, "a")->n_dependents, 0);
    conf_set_free(set);
}

static void files_that_are_not_services_are_listed_as_ignored(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    char sub[300];
    fix_write(dir, "web.yaml", "command: [web]\n");
    fix_write(dir, "README.md", "hi\n");
    fix_write(dir, "Web2.yaml", "command: [x]\n");
    fix_write(dir, ".hidden.yaml", "command: [x]\n");
    fix_write(dir, "web.yaml.bak", "command: [x]\n");
    snprintf(sub, sizeof sub, "%s/sub.yaml", dir);
    mkdir(sub, 0700);
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 1);
    assert_int_equal(set->n_ignored, 5);
    assert_string_equal(set->ignored[0], ".hidden.yaml");
    assert_string_equal(set->ignored[1], "README.md");
    assert_string_equal(set->ignored[2], "Web2.yaml");
    assert_string_equal(set->ignored[3], "sub.yaml");
    assert_string_equal(set->ignored[4], "web.yaml.bak");
    conf_set_free(set);
}

static void an_empty_directory_is_an_empty_set(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 0);
    conf_set_free(set);
}

static void a_missing_directory_is_an_error(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_set *set = NULL;
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir("/nonexistent/services.d", &fix_env, &set, &e), -ENOENT);
    assert_null(set);
    assert_string_equal(
        fix_errors_text(&e),
        "/nonexistent/services.d: cannot read the services directory: No such file or directory");
    conf_errors_close(&e);
}

static void a_name_defined_as_yaml_and_yml_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\n");
    fix_write(dir, "web.yml", "command: [web]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(
        errors_in_d(),
        "D/web.yml: service web is defined twice: expected web.yaml or web.yml, not both");
}

static void a_dependency_on_a_missing_service_suggests_a_close_name(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [dbb]\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(
        errors_in_d(),
        "D/web.yaml:2:14: depends_on: expected the name of a service, got \"dbb\", which does not exist (did you mean \"db\"?)");
}

static void a_dependency_cycle_is_named_as_the_cycle(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "a.yaml", "command: [a]\ndepends_on: [b]\n");
    fix_write(dir, "b.yaml", "command: [b]\ndepends_on: [c]\n");
    fix_write(dir, "c.yaml", "command: [c]\ndepends_on: [a]\n");
    fix_write(dir, "d.yaml", "command: [d]\ndepends_on: [a]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(
        errors_in_d(),
        "D/a.yaml:2:14: depends_on: expected no dependency cycle, got a -> b -> c -> a");
}

static void a_two_service_cycle_reads_a_b_a(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "a.yaml", "command: [a]\ndepends_on: [b]\n");
    fix_write(dir, "b.yaml", "command: [b]\ndepends_on:\n  a: {condition: started}\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_string_equal(errors_in_d(),
                        "D/a.yaml:2:14: depends_on: expected no dependency cycle, got a -> b -> a");
}

static void condition_completed_on_a_longrun_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: {db: {condition: completed}}\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_string_equal(
        errors_in_d(),
        "D/web.yaml:2:14: depends_on: condition completed, but db is a longrun service and never completes (expected a oneshot, or started or ready)");
}

static void condition_healthy_without_a_health_check_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: {db: {condition: healthy}}\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_string_equal(
        errors_in_d(),
        "D/web.yaml:2:14: depends_on: condition healthy, but db has no health check (expected started or ready)");
}

static void condition_healthy_with_a_health_check_loads(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: {db: {condition: healthy}}\n");
    fix_write(dir, "db.yaml", "command: [db]\nhealth: {exec: [ping]}\n");
    assert_int_equal(load(&set), 0);
    conf_set_free(set);
}

static void errors_of_several_files_are_all_reported(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "a.yaml", "command: [a]\nrestart: sometimes\n");
    fix_write(dir, "b.yaml", "command: [b]\nstop_signal: NOPE\n");
    fix_write(dir, "c.yaml", "command: [c]\ndepends_on: [zzz]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(
        errors_in_d(),
        "D/a.yaml:2:10: restart: expected always|on-failure|never, got \"sometimes\"\n"
        "D/b.yaml:2:14: stop_signal: expected a signal name like TERM, SIGINT or QUIT, got \"NOPE\"\n"
        "D/c.yaml:2:14: depends_on: expected the name of a service, got \"zzz\", which does not exist");
}

static void a_dependency_on_a_broken_file_is_not_reported_twice(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [db]\n");
    fix_write(dir, "db.yaml", "command: [db]\ntype: daemon\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_string_equal(errors_in_d(),
                        "D/db.yaml:2:7: type: expected longrun|oneshot, got \"daemon\"");
}

/* Makes dir/name a symbolic link to target. */
static void link_to(const char *target, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(symlink(target, path), 0);
}

static void a_broken_symbolic_link_named_like_a_service_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    /* Skipped, web would vanish without a word (the check still passing). */
    link_to("..data/web.yaml", "web.yaml");
    fix_write(dir, "db.yaml", "command: [db]\n");
    fix_write(dir, "api.yaml", "command: [api]\ndepends_on: [web, db]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    /* Said once: api's dependency on web is not "does not exist" as well. */
    assert_string_equal(errors_in_d(), "D/web.yaml: broken symbolic link to ..data/web.yaml");
}

static void a_symbolic_link_loop_named_like_a_service_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    link_to("b.yaml", "a.yaml");
    link_to("a.yaml", "b.yaml");
    link_to("self.yml", "self.yml");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(errors_in_d(), "D/a.yaml: too many levels of symbolic links\n"
                                       "D/b.yaml: too many levels of symbolic links\n"
                                       "D/self.yml: too many levels of symbolic links");
}

static void a_fifo_or_device_named_like_a_service_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    char path[512];
    /* Never opened (a FIFO would block the read), never skipped (the
     * service would vanish without a word). */
    snprintf(path, sizeof path, "%s/web.yaml", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    link_to("/dev/zero", "zero.yml");
    link_to("/dev/null", ".null.yaml"); /* not a service's name: ignored */
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_string_equal(errors_in_d(),
                        "D/web.yaml: a FIFO, not a file to read a service from\n"
                        "D/zero.yml: a character device, not a file to read a service from");
}

static void a_broken_link_not_named_like_a_service_is_ignored(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    link_to("nowhere", "notes.txt");
    link_to("nowhere", ".web.yaml");
    fix_write(dir, "web.yaml", "command: [web]\n");
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 1);
    assert_int_equal(set->n_ignored, 2);
    assert_string_equal(set->ignored[0], ".web.yaml");
    assert_string_equal(set->ignored[1], "notes.txt");
    conf_set_free(set);
}

static void a_configmap_mount_of_links_into_data_loads(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    char sub[300];
    /* What the kubelet writes: a timestamped directory, ..data pointing at
     * it (swapped atomically on update), and each key a link through ..data. */
    snprintf(sub, sizeof sub, "%s/..2024_01_01_00_00_00.123456789", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(fix_write(sub, "web.yaml", "command: [web]\ndepends_on: [db]\n"), 0);
    assert_int_equal(fix_write(sub, "db.yaml", "command: [db]\n"), 0);
    link_to("..2024_01_01_00_00_00.123456789", "..data");
    link_to("..data/web.yaml", "web.yaml");
    link_to("..data/db.yaml", "db.yaml");
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 2);
    assert_string_equal(set->services[set->start_order[0]]->name, "db");
    assert_string_equal(set->services[set->start_order[1]]->name, "web");
    assert_int_equal(set->n_ignored, 2);
    assert_string_equal(set->ignored[0], "..2024_01_01_00_00_00.123456789");
    assert_string_equal(set->ignored[1], "..data");
    conf_set_free(set);
}

static void a_main_command_is_added_as_the_service_main(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    struct conf_errors e;
    char *argv[] = {"nginx", "-g", "daemon off;", NULL};
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [db]\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    assert_int_equal(load(&set), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_set_add_main(set, argv, NULL, &e), 0);
    assert_int_equal(e.n, 0);
    assert_int_equal(set->n, 3);
    struct conf_service *m = conf_set_find(set, "main");
    assert_non_null(m);
    assert_true(m->main);
    assert_int_equal(m->restart, CONF_RESTART_NEVER);
    assert_int_equal(m->argc, 3);
    assert_string_equal(m->argv[2], "daemon off;");
    assert_null(m->argv[3]);
    assert_string_equal(m->file, "command line");
    /* Indexes moved: web's dependency still points at db. */
    struct conf_service *web = conf_set_find(set, "web");
    assert_ptr_equal(set->services[web->deps[0].index], conf_set_find(set, "db"));
    assert_string_equal(set->services[set->start_order[0]]->name, "db");
    assert_string_equal(set->services[set->start_order[1]]->name, "main");
    assert_string_equal(set->services[set->start_order[2]]->name, "web");
    conf_errors_close(&e);
    conf_set_free(set);
}

static void a_main_command_waits_for_every_oneshot_to_finish(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    struct conf_errors e;
    char *argv[] = {"app", NULL};
    fix_write(dir, "web.yaml", "command: [web]\n");
    fix_write(dir, "prep.yaml", "type: oneshot\ncommand: [prep]\n");
    fix_write(dir, "migrate.yaml", "type: oneshot\ncommand: [m]\ndepends_on: [prep]\n");
    /* A scheduled job runs at its times, not at boot: main does not wait. */
    fix_write(dir, "zjob.yaml", "type: oneshot\ncommand: [j]\nevery: 1m\n");
    /* Nor for one that waits for corralctl start. */
    fix_write(dir, "zmanual.yaml", "type: oneshot\ncommand: [j]\nautostart: false\n");
    assert_int_equal(load(&set), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_set_add_main(set, argv, NULL, &e), 0);
    assert_int_equal(e.n, 0);
    struct conf_service *m = conf_set_find(set, "main");
    assert_int_equal(m->n_deps, 2);
    assert_string_equal(m->deps[0].name, "migrate");
    assert_int_equal(m->deps[0].condition, CONF_COND_FINISHED);
    assert_string_equal(m->deps[1].name, "prep");
    assert_int_equal(m->deps[1].condition, CONF_COND_FINISHED);
    /* prep, migrate, main; web (no dependency) first by name order rules. */
    assert_int_equal(set->n, 6);
    assert_string_equal(set->services[set->start_order[0]]->name, "prep");
    assert_string_equal(set->services[set->start_order[1]]->name, "migrate");
    assert_string_equal(set->services[set->start_order[2]]->name, "main");
    assert_string_equal(set->services[set->start_order[3]]->name, "web");
    conf_errors_close(&e);
    conf_set_free(set);
}

static void a_main_section_with_depends_on_replaces_the_wait(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    struct conf_errors e;
    struct conf_global g;
    char *argv[] = {"app", NULL};
    fix_write(dir, "db.yaml", "command: [db]\n");
    fix_write(dir, "prep.yaml", "type: oneshot\ncommand: [prep]\n");
    assert_int_equal(load(&set), 0);
    conf_errors_init(&e);
    conf_global_init(&g);
    const char *yaml = "main:\n  depends_on: [db, nope]\n";
    assert_int_equal(conf_global_load_buffer("corral.yaml", yaml, strlen(yaml), &fix_env, &g, &e),
                     0);
    /* A name that is no service is reported in corral.yaml, and nothing changes. */
    assert_int_equal(conf_set_add_main(set, argv, &g.main, &e), -EINVAL);
    assert_null(g.main);
    fix_errors_text(&e);
    assert_string_equal(fix_text, "corral.yaml:2:20: depends_on: expected the name of a service, "
                                  "got \"nope\", which does not exist");
    assert_int_equal(set->n, 2);
    conf_errors_close(&e);
    conf_errors_init(&e);
    yaml = "main:\n  depends_on: [db]\n";
    assert_int_equal(conf_global_load_buffer("corral.yaml", yaml, strlen(yaml), &fix_env, &g, &e),
                     0);
    assert_int_equal(conf_set_add_main(set, argv, &g.main, &e), 0);
    struct conf_service *m = conf_set_find(set, "main");
    assert_int_equal(m->n_deps, 1);
    assert_string_equal(m->deps[0].name, "db");
    assert_int_equal(m->deps[0].condition, CONF_COND_READY);
    assert_string_equal(m->argv[0], "app");
    conf_errors_close(&e);
    conf_global_close(&g);
    conf_set_free(set);
}

static void a_main_yaml_beside_a_main_command_is_an_error(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    struct conf_errors e;
    char *argv[] = {"sleep", "1", NULL};
    fix_write(dir, "main.yaml", "command: [x]\n");
    assert_int_equal(load(&set), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_set_add_main(set, argv, NULL, &e), -EEXIST);
    fix_errors_text(&e);
    assert_string_equal(
        errors_in_d(),
        "D/main.yaml: a service named main is given on the command line (corral -- CMD): expected no main.yaml beside it");
    assert_int_equal(set->n, 1);
    conf_errors_close(&e);
    conf_set_free(set);
}

static void a_main_command_alone_makes_a_set_of_one(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    struct conf_errors e;
    char *argv[] = {"sleep", "1", NULL};
    conf_errors_init(&e);
    assert_int_equal(conf_set_new(&set), 0);
    assert_int_equal(conf_set_add_main(set, argv, NULL, &e), 0);
    assert_int_equal(set->n, 1);
    assert_int_equal(set->start_order[0], 0);
    conf_errors_close(&e);
    conf_set_free(set);
}

static void conf_set_free_accepts_null(void **state)
{
    (void)state;
    conf_set_free(NULL);
    conf_service_free(NULL);
}

static void errors_are_capped_and_the_rest_counted(void **state)
{
    (void)state;
    struct conf_errors e;
    conf_errors_init(&e);
    for (int i = 0; i < CONF_ERRORS_MAX + 5; i++)
        assert_int_equal(conf_errors_add(&e, "f", 1, 1, "error %d", i), 0);
    assert_int_equal(e.n, CONF_ERRORS_MAX);
    assert_int_equal(e.dropped, 5);
    conf_errors_close(&e);
}

static void an_error_without_position_formats_as_file_and_message(void **state)
{
    (void)state;
    char buf[64];
    struct conf_error err = {.file = "x.yaml", .msg = "boom"};
    assert_string_equal(conf_errors_format(&err, buf, sizeof buf), "x.yaml: boom");
    err.line = 3;
    err.col = 9;
    assert_string_equal(conf_errors_format(&err, buf, sizeof buf), "x.yaml:3:9: boom");
    assert_string_equal(conf_errors_format(&err, buf, 6), "x.yam");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fix_dir_setup, fix_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(services_are_sorted_by_name_and_started_after_their_dependencies),
        T(dependencies_carry_the_index_of_their_target),
        T(each_service_lists_its_dependents_for_the_reverse_stop),
        T(files_that_are_not_services_are_listed_as_ignored),
        T(an_empty_directory_is_an_empty_set),
        T(a_missing_directory_is_an_error),
        T(a_name_defined_as_yaml_and_yml_is_an_error),
        T(a_dependency_on_a_missing_service_suggests_a_close_name),
        T(a_dependency_cycle_is_named_as_the_cycle),
        T(a_two_service_cycle_reads_a_b_a),
        T(condition_completed_on_a_longrun_is_an_error),
        T(condition_healthy_without_a_health_check_is_an_error),
        T(condition_healthy_with_a_health_check_loads),
        T(errors_of_several_files_are_all_reported),
        T(a_dependency_on_a_broken_file_is_not_reported_twice),
        T(a_broken_symbolic_link_named_like_a_service_is_an_error),
        T(a_symbolic_link_loop_named_like_a_service_is_an_error),
        T(a_fifo_or_device_named_like_a_service_is_an_error),
        T(a_broken_link_not_named_like_a_service_is_ignored),
        T(a_configmap_mount_of_links_into_data_loads),
        T(a_main_command_is_added_as_the_service_main),
        T(a_main_yaml_beside_a_main_command_is_an_error),
        T(a_main_command_alone_makes_a_set_of_one),
        T(a_main_command_waits_for_every_oneshot_to_finish),
        T(a_main_section_with_depends_on_replaces_the_wait),
        T(conf_set_free_accepts_null),
        T(errors_are_capped_and_the_rest_counted),
        T(an_error_without_position_formats_as_file_and_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
