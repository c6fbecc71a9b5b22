/* test_import_check.c - the last step of `corral import`: what corral's
 * loader refuses in the files about to be written (a key, a dependency, a
 * service) is taken out and reported, whatever mapper put it there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "imp_text.h"
#include "test_import_fixture.h"

static struct imp_service *add(struct imp *m, const char *name, const char *command)
{
    struct imp_service *s = imp_svc(m, name, "src:1", "src:1 [%s]", name);
    if (command)
        imp_iv_set(s->map, "command", command, false);
    return s;
}

static void a_refused_key_is_left_out_and_reported_with_the_loaders_message(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    struct imp_service *a = add(&m, "a", "run");
    imp_iv_note(imp_iv_set(a->map, "directory", "rel/dir", false), "line 7");
    imp_iv_set(a->map, "stop_signal", "NOPE", true);
    imp_iv_set(a->map, "user", "nobody", false);
    imp_check(&m);
    char *t = fx_service(&m, "a");
    assert_lacks(t, "directory");
    assert_lacks(t, "stop_signal");
    assert_contains(t, "user: nobody\n");
    assert_true(
        fx_reported(&m, IMP_UNMAPPED, "a: directory (line 7)", "expected an absolute path"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "a: stop_signal", "expected a signal name"));
    free(t);
    imp_free(&m);
}

/* A key that takes rights away, taken out alone, would leave its service
 * running as corral's own user (root in most containers), with corral's
 * umask, limits or environment: the whole service is left out instead, and
 * what depended on it loses that dependency, as for any service left out. */
static void a_refused_key_that_takes_rights_away_leaves_the_service_out(void **state)
{
    (void)state;
    static const char *const keys[][2] = {
        {"user", ""}, {"group", ""}, {"umask", "1777"}, {"rlimits", "lots"}, {"clear_env", "maybe"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        struct imp m;
        imp_init(&m, "test", NULL);
        struct imp_service *a = add(&m, "a", "run");
        imp_iv_note(imp_iv_set(a->map, keys[i][0], keys[i][1], false), "line 3");
        struct imp_service *b = add(&m, "b", "run");
        imp_dep(b, "a", "started", NULL);
        imp_iv_set(b->map, "directory", "rel", false); /* any other key goes alone */
        assert_int_equal(imp_check(&m), 0);
        assert_null(imp_find(&m, "a"));
        char *what = imp_xasprintf("a: %s (line 3)", keys[i][0]);
        const struct imp_item *it =
            fx_item(&m, IMP_UNMAPPED, what, "left out rather than run with more rights");
        if (!it)
            fprintf(stderr, "%s: not left out whole\n", keys[i][0]);
        assert_non_null(it);
        assert_string_equal(it->where, "src:1 [a]");
        assert_contains(it->why, "corral refuses it (");
        free(what);
        char *t = fx_service(&m, "b");
        assert_lacks(t, "depends_on");
        assert_lacks(t, "directory");
        assert_true(fx_reported(&m, IMP_UNMAPPED, "depends_on", "a, which was not imported"));
        assert_true(fx_reported(&m, IMP_UNMAPPED, "b: directory", "; left out"));
        free(t);
        imp_free(&m);
    }
}

static void a_service_whose_command_is_refused_is_left_out_with_its_dependents_edges(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    add(&m, "empty", "");
    struct imp_service *b = add(&m, "b", "run");
    imp_dep(b, "empty", "started", NULL);
    imp_check(&m);
    assert_null(imp_find(&m, "empty"));
    char *t = fx_service(&m, "b");
    assert_lacks(t, "depends_on");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "empty", "the service is left out"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "depends_on", "empty, which was not imported"));
    free(t);
    imp_free(&m);
}

/* A cycle is broken at the edge the loader names; a condition its target
 * cannot meet is left out. ${VAR} counts as set: its value is the
 * container's. */
static void a_cycle_and_an_unmeetable_condition_lose_one_dependency_each(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    struct imp_service *a = add(&m, "a", "run ${UNSET_HERE:?must be set}");
    struct imp_service *b = add(&m, "b", "run");
    struct imp_service *c = add(&m, "c", "run");
    imp_dep(a, "b", "started", NULL);
    imp_dep(b, "a", "started", NULL);
    imp_dep(c, "a", "completed", NULL);
    imp_dep(c, "b", "started", NULL);
    imp_check(&m);
    char *ta = fx_service(&m, "a"), *tb = fx_service(&m, "b"), *tc = fx_service(&m, "c");
    assert_true((strstr(ta, "depends_on") == NULL) != (strstr(tb, "depends_on") == NULL));
    assert_contains(tc, "depends_on: {b: {condition: started}}\n");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "depends_on", "expected no dependency cycle"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "c: depends_on a", "condition completed"));
    assert_contains(ta, "command: \"run ${UNSET_HERE:?must be set}\"\n");
    free(ta);
    free(tb);
    free(tc);
    imp_free(&m);
}

/* A name written quoted ("-") is found at the place the loader points at. */
static void a_dependency_on_a_quoted_name_is_the_one_left_out(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    add(&m, "-", "run");
    add(&m, "b", "run");
    struct imp_service *c = add(&m, "c", "run");
    imp_dep(c, "b", "started", NULL);
    imp_dep(c, "-", "healthy", NULL);
    imp_check(&m);
    char *t = fx_service(&m, "c");
    assert_contains(t, "depends_on: {b: {condition: started}}\n");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "c: depends_on -", "has no health check"));
    free(t);
    imp_free(&m);
}

/* db's instances: 2 would be named db.1 and db.2, and db.1 is a service;
 * corral refuses db.5 or db.01 beside them as well, whatever the count. */
static void instances_named_like_another_service_are_left_out(void **state)
{
    (void)state;
    const char *others[] = {"db.1", "db.5", "db.01", "db.0"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        struct imp m;
        imp_init(&m, "test", NULL);
        struct imp_service *db = add(&m, "db", "run");
        imp_iv_set(db->map, "instances", "2", true);
        add(&m, others[i], "run");
        add(&m, "db.x", "run"); /* not a number: no clash */
        imp_check(&m);
        char *t = fx_service(&m, "db");
        assert_lacks(t, "instances");
        assert_true(fx_reported(&m, IMP_UNMAPPED, "db: instances", others[i]));
        free(t);
        imp_free(&m);
    }
}

static size_t items(const struct imp *m)
{
    size_t n = 0;
    for (const struct imp_item *it = m->items; it; it = it->next)
        n++;
    return n;
}

/* More refused dependencies than a round each: every one is taken out and
 * reported, and what is left loads as a set (a second check finds nothing
 * more). Nothing refused is written without a line in the report. */
static void hundreds_of_cycles_are_all_taken_out(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    for (int i = 0; i < 300; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "a%d", i);
        snprintf(b, sizeof b, "b%d", i);
        imp_dep(add(&m, a, "run"), b, "started", NULL);
        imp_dep(add(&m, b, "run"), a, "started", NULL);
    }
    assert_int_equal(imp_check(&m), 0);
    size_t reported = items(&m);
    assert_true(reported >= 300);
    assert_int_equal(imp_check(&m), 0);
    assert_int_equal(items(&m), reported);
    imp_free(&m);
}

static void a_refused_global_key_is_left_out(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    add(&m, "a", "run");
    imp_iv_set(imp_global(&m), "log_level", "loud", true);
    imp_iv_set(imp_global(&m), "startup_scripts", "/etc/my_init.d", false);
    imp_check(&m);
    char *g = imp_render_global(&m);
    assert_lacks(g, "log_level");
    assert_contains(g, "startup_scripts: /etc/my_init.d\n");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "corral.yaml: log_level", "corral refuses it"));
    free(g);
    imp_free(&m);
}

/* Two refused dependencies of one service go, each reported, and its good
 * one stays: the loader's places are those of the text before a removal. */
static void two_refused_dependencies_of_one_service_leave_its_good_one(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "test", NULL);
    add(&m, "a", "run");
    add(&m, "b", "run");
    add(&m, "d", "run");
    struct imp_service *c = add(&m, "c", "run");
    imp_dep(c, "a", "completed", NULL);
    imp_dep(c, "b", "healthy", NULL);
    imp_dep(c, "d", "started", NULL);
    assert_int_equal(imp_check(&m), 0);
    char *t = fx_service(&m, "c");
    assert_contains(t, "d: {condition: started}");
    assert_lacks(t, "a: {");
    assert_lacks(t, "b: {");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "c: depends_on a", "the dependency is left out"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "c: depends_on b", "the dependency is left out"));
    free(t);
    imp_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_refused_key_is_left_out_and_reported_with_the_loaders_message),
        cmocka_unit_test(a_refused_key_that_takes_rights_away_leaves_the_service_out),
        cmocka_unit_test(a_service_whose_command_is_refused_is_left_out_with_its_dependents_edges),
        cmocka_unit_test(a_cycle_and_an_unmeetable_condition_lose_one_dependency_each),
        cmocka_unit_test(a_dependency_on_a_quoted_name_is_the_one_left_out),
        cmocka_unit_test(instances_named_like_another_service_are_left_out),
        cmocka_unit_test(hundreds_of_cycles_are_all_taken_out),
        cmocka_unit_test(a_refused_global_key_is_left_out),
        cmocka_unit_test(two_refused_dependencies_of_one_service_leave_its_good_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
