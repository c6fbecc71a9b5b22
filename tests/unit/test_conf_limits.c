/* test_conf_limits.c - the caps on what one file may hold (conf.h, "limits";
 * docs/configuration.md, "Limits"): nesting depth, keys of a map, items of a
 * list, anchors and aliases, file size, env_file variables. Each is refused
 * with one error at the place that passed it, before the rest is read, and a
 * file just within the caps still loads. Duplicates are still found in large
 * maps and lists, at the same place as before, and a long chain of services
 * is still ordered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "envfile.h"
#include "test_conf_fixture.h"

/* A growing string for generated files. */
struct text {
    char *p;
    size_t len, cap;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* "command: [x]\nenvironment: " and count times "[ ". */
static char *nested(size_t count)
{
    struct text t = {0};
    text_add(&t, "command: [x]\nenvironment: ");
    for (size_t i = 0; i < count; i++)
        text_add(&t, "[ ");
    text_add(&t, "\n");
    return t.p;
}

static void a_hundred_thousand_nested_lists_are_refused_at_the_level_past_the_cap(void **state)
{
    (void)state;
    /* The file of the report that froze PID 1 for 52.6 s on a reload. The
     * root map is the first level, the 64th "[" would open the 65th: it sits
     * at column 14 + 2 * 63. */
    char *yaml = nested(100000);
    assert_string_equal(
        fix_fail(yaml),
        "web.yaml:2:140: expected at most 64 levels of lists and maps nested in one another, got more");
    free(yaml);
}

static void sixty_four_levels_are_read_and_checked_against_the_schema(void **state)
{
    (void)state;
    /* The root map and 63 lists: within the cap, so the schema speaks. */
    struct text t = {0};
    text_add(&t, "command: [x]\nenvironment: ");
    for (int i = 0; i < 63; i++)
        text_add(&t, "[");
    for (int i = 0; i < 63; i++)
        text_add(&t, "]");
    text_add(&t, "\n");
    assert_string_equal(fix_fail(t.p),
                        "web.yaml:2:14: environment: expected a map of NAME: value, got a list");
    free(t.p);
}

static char *environment_of(size_t keys, const char *last)
{
    struct text t = {0};
    text_add(&t, "command: [x]\nenvironment:\n");
    for (size_t i = 0; i < keys; i++)
        text_add(&t, "  K%zu: v\n", i);
    if (last)
        text_add(&t, "  %s: v\n", last);
    return t.p;
}

static void a_map_of_4096_keys_loads(void **state)
{
    (void)state;
    char *yaml = environment_of(4096, NULL);
    int rc;
    struct conf_service *s = fix_load(yaml, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(s);
    assert_int_equal(s->n_environment, 4096);
    assert_string_equal(s->environment[4095].key, "K4095");
    conf_service_free(s);
    free(yaml);
}

static void a_map_of_more_than_4096_keys_is_refused_at_the_key_past_the_cap(void **state)
{
    (void)state;
    /* 50,000 keys took 14.7 s through a quadratic duplicate check. */
    char *yaml = environment_of(50000, NULL);
    assert_string_equal(
        fix_fail(yaml),
        "web.yaml:4099:3: expected at most 4096 keys in one map, got more (the map starts at line 3)");
    free(yaml);
}

static void a_duplicate_key_in_a_large_map_names_its_first_line(void **state)
{
    (void)state;
    char *yaml = environment_of(4095, "K7");
    assert_string_equal(fix_fail(yaml),
                        "web.yaml:4098:3: environment.K7: duplicate key (first at line 10)");
    free(yaml);
}

static void a_list_of_more_than_4096_items_is_refused_at_the_item_past_the_cap(void **state)
{
    (void)state;
    struct text t = {0};
    text_add(&t, "command:\n");
    for (int i = 0; i < 4097; i++)
        text_add(&t, "  - a%d\n", i);
    assert_string_equal(
        fix_fail(t.p),
        "web.yaml:4098:5: expected at most 4096 items in one list, got more (the list starts at line 2)");
    free(t.p);
}

static void a_dependency_listed_twice_in_a_long_list_is_reported_once(void **state)
{
    (void)state;
    struct text t = {0};
    struct conf_errors e;
    struct conf_service *s = NULL;
    text_add(&t, "command: [x]\ndepends_on:\n");
    for (int i = 0; i < 4000; i++)
        text_add(&t, "  - d%d\n", i);
    text_add(&t, "  - d3\n");
    conf_errors_init(&e);
    assert_int_equal(conf_load_buffer("web", "web.yaml", t.p, t.len, &fix_env, false, &s, &e),
                     -EINVAL);
    assert_null(s);
    assert_string_equal(fix_errors_text(&e), "web.yaml:4003:5: depends_on: d3 is listed twice");
    conf_errors_close(&e);
    free(t.p);
}

static void more_than_100_anchors_are_refused(void **state)
{
    (void)state;
    struct text t = {0};
    text_add(&t, "command: [x]\nenvironment:\n");
    for (int i = 0; i < 101; i++)
        text_add(&t, "  K%d: &a%d v\n", i, i);
    assert_string_equal(
        fix_fail(t.p),
        "web.yaml:103:9: expected at most 100 anchors (&name) in one file, got more");
    free(t.p);
}

static void more_than_100_aliases_are_refused(void **state)
{
    (void)state;
    /* Each alias may stand for a whole map that the schema then reads
     * again: bounded, they bound that work too. */
    struct text t = {0};
    text_add(&t, "command: [x]\nenvironment:\n  K: &v v\n");
    for (int i = 0; i < 101; i++)
        text_add(&t, "  K%d: *v\n", i);
    assert_string_equal(
        fix_fail(t.p),
        "web.yaml:104:9: expected at most 100 aliases (*name) in one file, got more");
    free(t.p);
}

static void a_few_anchors_and_aliases_still_work(void **state)
{
    (void)state;
    int rc;
    struct conf_service *s = fix_load("command: [x]\nenvironment:\n  A: &v shared\n  B: *v\n", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s->environment[1].value, "shared");
    conf_service_free(s);
}

static void a_buffer_over_1_mib_is_refused_whole(void **state)
{
    (void)state;
    size_t len = 1024 * 1024 + 1;
    char *yaml = malloc(len + 1);
    assert_non_null(yaml);
    memset(yaml, '#', len);
    memcpy(yaml, "command: [x]\n", 13);
    yaml[len] = '\0';
    assert_string_equal(
        fix_fail(yaml),
        "web.yaml: expected a file of at most 1048576 bytes (1 MiB), got 1048577 bytes");
    free(yaml);
}

static char *const dir = fix_dir; /* fix_dir_setup makes it for each test */

static void a_service_file_over_1_mib_is_refused_by_name(void **state)
{
    (void)state;
    char path[300];
    struct conf_errors e;
    struct conf_set *set = NULL;
    snprintf(path, sizeof path, "%s/web.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("command: [x]\n", f);
    for (int i = 0; i < 1024 * 1024; i++)
        fputc('#', f);
    assert_int_equal(fclose(f), 0);
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir(dir, &fix_env, &set, &e), -EINVAL);
    assert_null(set);
    char want[400];
    snprintf(want, sizeof want,
             "%s: cannot read: larger than 1 MiB, the most a configuration file may hold", path);
    assert_string_equal(fix_errors_text(&e), want);
    conf_errors_close(&e);
}

static void a_chain_of_1500_services_starts_in_order(void **state)
{
    (void)state;
    /* The order, the cycle search and the dependents are linear in the
     * set (the cycle search with its own stack, not PID 1's). */
    char name[32], text[64];
    struct conf_errors e;
    struct conf_set *set = NULL;
    for (int i = 0; i < 1500; i++) {
        snprintf(name, sizeof name, "s%04d.yaml", i);
        snprintf(text, sizeof text, "command: [x]\ndepends_on: [s%04d]\n", i + 1);
        assert_int_equal(fix_write(dir, name, i == 1499 ? "command: [x]\n" : text), 0);
    }
    conf_errors_init(&e);
    assert_int_equal(conf_load_dir(dir, &fix_env, &set, &e), 0);
    assert_int_equal(set->n, 1500);
    for (size_t i = 0; i < 1500; i++)
        assert_int_equal(set->start_order[i], 1499 - i);
    assert_int_equal(set->services[1499]->n_dependents, 1);
    assert_int_equal(set->services[1499]->dependents[0], 1498);
    assert_int_equal(set->services[0]->n_dependents, 0);
    conf_set_free(set);
    conf_errors_close(&e);
}

static void
an_env_file_of_more_than_4096_variables_is_refused_at_the_line_past_the_cap(void **state)
{
    (void)state;
    struct text t = {0};
    struct conf_errors e;
    struct conf_kv *v = NULL;
    size_t n = 0;
    text_add(&t, "# generated\n");
    for (int i = 0; i < 5000; i++)
        text_add(&t, "V%d=x\n", i);
    conf_errors_init(&e);
    assert_int_equal(envfile_parse("app.env", t.p, t.len, &v, &n, &e), -EINVAL);
    assert_string_equal(
        fix_errors_text(&e),
        "app.env:4098:1: expected at most 4096 variables in one env_file, got more");
    conf_errors_close(&e);
    free(t.p);
}

static void corral_yaml_has_the_same_caps(void **state)
{
    (void)state;
    struct conf_errors e;
    struct conf_global g;
    char *yaml = nested(1000);
    conf_errors_init(&e);
    conf_global_init(&g);
    assert_int_equal(conf_global_load_buffer("corral.yaml", yaml, strlen(yaml), &fix_env, &g, &e),
                     -EINVAL);
    assert_string_equal(
        fix_errors_text(&e),
        "corral.yaml:2:140: expected at most 64 levels of lists and maps nested in one another, got more");
    conf_global_close(&g);
    conf_errors_close(&e);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hundred_thousand_nested_lists_are_refused_at_the_level_past_the_cap),
        cmocka_unit_test(sixty_four_levels_are_read_and_checked_against_the_schema),
        cmocka_unit_test(a_map_of_4096_keys_loads),
        cmocka_unit_test(a_map_of_more_than_4096_keys_is_refused_at_the_key_past_the_cap),
        cmocka_unit_test(a_duplicate_key_in_a_large_map_names_its_first_line),
        cmocka_unit_test(a_list_of_more_than_4096_items_is_refused_at_the_item_past_the_cap),
        cmocka_unit_test(a_dependency_listed_twice_in_a_long_list_is_reported_once),
        cmocka_unit_test(more_than_100_anchors_are_refused),
        cmocka_unit_test(more_than_100_aliases_are_refused),
        cmocka_unit_test(a_few_anchors_and_aliases_still_work),
        cmocka_unit_test(a_buffer_over_1_mib_is_refused_whole),
        cmocka_unit_test_setup_teardown(a_service_file_over_1_mib_is_refused_by_name, fix_dir_setup,
                                        fix_dir_teardown),
        cmocka_unit_test_setup_teardown(a_chain_of_1500_services_starts_in_order, fix_dir_setup,
                                        fix_dir_teardown),
        cmocka_unit_test(
            an_env_file_of_more_than_4096_variables_is_refused_at_the_line_past_the_cap),
        cmocka_unit_test(corral_yaml_has_the_same_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
