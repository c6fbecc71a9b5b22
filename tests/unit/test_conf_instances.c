/* test_conf_instances.c - instances: and groups: in a services directory:
 * one service per instance with ${CORRAL_INSTANCE} expanded for each, a
 * dependency on the file meaning every instance, names that collide with an
 * instance's, errors reported once, group membership, and the counts that
 * corralctl scale puts in place of a file's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_conf_fixture.h"

static char *const dir = fix_dir; /* fix_dir_setup makes it for each test */

static int load_scaled(struct conf_set **set, const struct conf_scale *scales, size_t n)
{
    struct conf_errors e;
    conf_errors_init(&e);
    int rc = conf_load_dir_scaled(dir, &fix_env, scales, n, set, &e);
    fix_errors_text(&e);
    conf_errors_close(&e);
    return rc;
}

static int load(struct conf_set **set)
{
    return load_scaled(set, NULL, 0);
}

static const char *env_of(const struct conf_service *s, const char *key)
{
    for (size_t i = 0; i < s->n_environment; i++)
        if (strcmp(s->environment[i].key, key) == 0)
            return s->environment[i].value;
    return NULL;
}

static void each_instance_is_a_service_with_its_number_expanded(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml",
              "command: [\"work\", \"--id=${CORRAL_INSTANCE}\", \"--port=${PORT}\"]\n"
              "instances: 3\n"
              "environment: {QUEUE: \"q${CORRAL_INSTANCE}\"}\n"
              "logs: {file: \"/var/log/worker-${CORRAL_INSTANCE}.log\"}\n");
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 3);
    for (uint32_t k = 1; k <= 3; k++) {
        char name[32], id[32], q[8], file[64], num[4];
        snprintf(name, sizeof name, "worker.%u", k);
        snprintf(id, sizeof id, "--id=%u", k);
        snprintf(q, sizeof q, "q%u", k);
        snprintf(file, sizeof file, "/var/log/worker-%u.log", k);
        snprintf(num, sizeof num, "%u", k);
        const struct conf_service *s = conf_set_find(set, name);
        assert_non_null(s);
        assert_string_equal(s->base, "worker");
        assert_int_equal(s->instance, k);
        assert_int_equal(s->instances, 3);
        assert_int_equal(s->instances_file, 3);
        assert_string_equal(s->argv[1], id);
        assert_string_equal(s->argv[2], "--port=8080"); /* corral's own variables still apply */
        assert_string_equal(env_of(s, "QUEUE"), q);
        assert_string_equal(env_of(s, "CORRAL_INSTANCE"), num);
        assert_string_equal(s->logs.file, file);
        assert_true(conf_service_in_group(s, "worker"));
    }
    assert_null(conf_set_find(set, "worker"));
    conf_set_free(set);
}

static void an_environment_key_of_its_own_wins_over_the_number(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(
        dir, "w.yaml",
        "command: [w]\ninstances: 2\nenvironment: {CORRAL_INSTANCE: \"x${CORRAL_INSTANCE}\"}\n");
    assert_int_equal(load(&set), 0);
    const struct conf_service *s = conf_set_find(set, "w.2");
    assert_non_null(s);
    assert_int_equal(s->n_environment, 1);
    assert_string_equal(env_of(s, "CORRAL_INSTANCE"), "x2");
    conf_set_free(set);
}

static void a_service_without_instances_is_unchanged(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\n");
    assert_int_equal(load(&set), 0);
    const struct conf_service *s = conf_set_find(set, "web");
    assert_non_null(s);
    assert_null(s->base);
    assert_int_equal(s->instance, 0);
    assert_int_equal(s->n_environment, 0);
    assert_int_equal(s->n_member_of, 0);
    conf_set_free(set);
}

static void a_dependency_on_the_file_means_every_instance(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 3\n");
    fix_write(dir, "db.yaml", "command: [db]\n");
    fix_write(
        dir, "web.yaml",
        "command: [web]\ndepends_on: {db: {condition: started}, worker: {condition: ready}}\n");
    assert_int_equal(load(&set), 0);
    const struct conf_service *web = conf_set_find(set, "web");
    assert_int_equal(web->n_deps, 4);
    assert_string_equal(web->deps[0].name, "db");
    assert_int_equal(web->deps[0].condition, CONF_COND_STARTED);
    for (int k = 1; k <= 3; k++) {
        char name[16];
        snprintf(name, sizeof name, "worker.%d", k);
        assert_string_equal(web->deps[k].name, name);
        assert_int_equal(web->deps[k].condition, CONF_COND_READY);
        assert_int_equal(web->deps[k].line, 2);
        assert_ptr_equal(set->services[web->deps[k].index], conf_set_find(set, name));
    }
    /* web starts after all of them. */
    assert_ptr_equal(set->services[set->start_order[set->n - 1]], web);
    conf_set_free(set);
}

static void a_dependency_on_one_instance_is_on_that_one(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 2\n");
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [worker.2]\n");
    assert_int_equal(load(&set), 0);
    const struct conf_service *web = conf_set_find(set, "web");
    assert_int_equal(web->n_deps, 1);
    assert_string_equal(web->deps[0].name, "worker.2");
    conf_set_free(set);
}

static void a_file_named_like_an_instance_is_an_error_at_instances(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\n\ninstances: 2\n");
    fix_write(dir, "worker.7.yaml", "command: [w]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_null(set);
    assert_non_null(strstr(fix_text, "worker.yaml:3:12: instances: the instances of worker are "
                                     "named worker.1 .. worker.2, and worker.7 is a service of "
                                     "its own"));
    assert_non_null(strstr(fix_text, "worker.7.yaml): rename one of them"));
}

static void a_file_named_like_a_word_after_the_name_is_fine(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 2\n");
    fix_write(dir, "worker.beat.yaml", "command: [w]\n");
    assert_int_equal(load(&set), 0);
    assert_int_equal(set->n, 3);
    conf_set_free(set);
}

static void a_bad_count_is_an_error_at_its_place(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 0\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "worker.yaml:2:12: instances:"));
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 101\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "worker.yaml:2:12: instances:"));
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: many\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "worker.yaml:2:12: instances:"));
}

static void an_error_of_the_file_is_reported_once(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 5\nrestart: sometimes\n");
    assert_int_equal(load(&set), -EINVAL);
    const char *first = strstr(fix_text, "restart:");
    assert_non_null(first);
    assert_null(strstr(first + 1, "restart:"));
}

static void an_error_only_a_later_number_causes_names_it(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    /* Only the first instance's env_file exists. */
    char text[512];
    fix_write(dir, "env1", "A=1\n");
    snprintf(text, sizeof text,
             "command: [w]\ninstances: 3\nenv_file: \"%s/env${CORRAL_INSTANCE}\"\n", dir);
    fix_write(dir, "worker.yaml", text);
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "env2: No such file or directory (instance 2)"));
    assert_null(strstr(fix_text, "(instance 3)"));
}

static void the_main_service_cannot_have_instances(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "app.yaml", "command: [app]\nmain: true\ninstances: 2\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "instances: expected no instances on the main service"));
}

static void groups_are_read_and_checked(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "web.yaml", "command: [web]\ngroups: [front, tier-1]\n");
    fix_write(dir, "php.yaml", "command: [php]\ninstances: 2\ngroups: [front]\n");
    assert_int_equal(load(&set), 0);
    const struct conf_service *web = conf_set_find(set, "web");
    assert_true(conf_service_in_group(web, "front"));
    assert_true(conf_service_in_group(web, "tier-1"));
    assert_false(conf_service_in_group(web, "web"));
    const struct conf_service *php = conf_set_find(set, "php.2");
    assert_true(conf_service_in_group(php, "front"));
    assert_true(conf_service_in_group(php, "php"));
    assert_false(conf_service_in_group(php, "tier-1"));
    conf_set_free(set);

    fix_write(dir, "web.yaml", "command: [web]\ngroups: [front, Front, front]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "web.yaml:2:17: groups: expected a group name ([a-z0-9_.-]+), "
                                     "got \"Front\""));
    fix_write(dir, "web.yaml", "command: [web]\ngroups: [front, front]\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "web.yaml:2:17: groups: front is listed twice"));
    fix_write(dir, "web.yaml", "command: [web]\ngroups: front\n");
    assert_int_equal(load(&set), -EINVAL);
    assert_non_null(strstr(fix_text, "web.yaml:2:9: groups: expected a list of group names"));
}

static void a_scale_replaces_the_count_while_the_file_keeps_its_own(void **state)
{
    (void)state;
    struct conf_set *set = NULL;
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 2\n");
    fix_write(dir, "web.yaml", "command: [web]\ndepends_on: [worker]\n");
    struct conf_scale up = {.name = "worker", .count = 4, .file_count = 2};
    assert_int_equal(load_scaled(&set, &up, 1), 0);
    assert_int_equal(set->n, 5);
    const struct conf_service *w4 = conf_set_find(set, "worker.4");
    assert_non_null(w4);
    assert_int_equal(w4->instances, 4);
    assert_int_equal(w4->instances_file, 2);
    assert_int_equal(conf_set_find(set, "web")->n_deps, 4);
    conf_set_free(set);
    /* The file changed its count since: the file's count wins. */
    fix_write(dir, "worker.yaml", "command: [w]\ninstances: 3\n");
    assert_int_equal(load_scaled(&set, &up, 1), 0);
    assert_int_equal(set->n, 4);
    assert_null(conf_set_find(set, "worker.4"));
    conf_set_free(set);
}

static void the_scale_count_rule(void **state)
{
    (void)state;
    const struct conf_scale s[] = {{.name = "a", .count = 5, .file_count = 0},
                                   {.name = "b", .count = 1, .file_count = 3},
                                   {.name = "a", .count = 9, .file_count = 2}};
    assert_int_equal(conf_scale_count("a", 2, s, 3), 5); /* the first one naming it wins */
    assert_int_equal(conf_scale_count("b", 3, s, 3), 1);
    assert_int_equal(conf_scale_count("b", 4, s, 3), 4); /* the file changed: its own */
    assert_int_equal(conf_scale_count("c", 7, s, 3), 7);
    assert_int_equal(conf_scale_count("a", 2, NULL, 0), 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fix_dir_setup, fix_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(each_instance_is_a_service_with_its_number_expanded),
        T(an_environment_key_of_its_own_wins_over_the_number),
        T(a_service_without_instances_is_unchanged),
        T(a_dependency_on_the_file_means_every_instance),
        T(a_dependency_on_one_instance_is_on_that_one),
        T(a_file_named_like_an_instance_is_an_error_at_instances),
        T(a_file_named_like_a_word_after_the_name_is_fine),
        T(a_bad_count_is_an_error_at_its_place),
        T(an_error_of_the_file_is_reported_once),
        T(an_error_only_a_later_number_causes_names_it),
        T(the_main_service_cannot_have_instances),
        T(groups_are_read_and_checked),
        T(a_scale_replaces_the_count_while_the_file_keeps_its_own),
        cmocka_unit_test(the_scale_count_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
