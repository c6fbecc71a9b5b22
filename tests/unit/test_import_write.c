/* test_import_write.c - how `corral import` writes YAML: keys in the
 * reference's order, values quoted unless safe, small collections in flow
 * style, scripts as literal blocks, comments where the value came from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "imp_text.h"
#include "test_import_fixture.h"

static struct imp_service *svc(void)
{
    struct imp_service *s = imp_xcalloc(1, sizeof *s);
    s->name = imp_xstrdup("x");
    s->origin = imp_xstrdup("test");
    s->map = imp_iv_new(IMP_IV_MAP);
    return s;
}

static void svc_free(struct imp_service *s)
{
    free(s->name);
    free(s->origin);
    imp_iv_free(s->map);
    free(s);
}

static void keys_come_out_in_the_references_order(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    imp_iv_set(s->map, "restart", "always", true);
    imp_iv_set(s->map, "user", "nobody", false);
    imp_iv_set(s->map, "command", "run", false);
    char *t = imp_render_service(s);
    assert_contains(t, "command: run\nuser: nobody\nrestart: always\n");
    free(t);
    svc_free(s);
}

static void values_another_reader_would_type_are_quoted(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    struct imp_iv *env = imp_iv_child(s->map, "environment", IMP_IV_MAP);
    imp_iv_set(env, "A", "yes", false);
    imp_iv_set(env, "B", "8080", false);
    imp_iv_set(env, "C", "plain/text-1.2", false);
    imp_iv_set(env, "D", "has space", false);
    imp_iv_set(env, "E", "-x", false);
    imp_iv_set(env, "F", "say \"hi\"\\", false);
    imp_iv_set(env, "G", "", false);
    imp_iv_set(env, "H", "bell\a", false);
    imp_iv_set(env, "I", "1:30", false);
    char *t = imp_render_service(s);
    assert_contains(t, "  A: \"yes\"\n  B: \"8080\"\n  C: plain/text-1.2\n  D: \"has space\"\n"
                       "  E: \"-x\"\n  F: \"say \\\"hi\\\"\\\\\"\n  G: \"\"\n  H: \"bell\\x07\"\n"
                       "  I: \"1:30\"\n");
    free(t);
    svc_free(s);
}

static void a_short_list_is_flow_and_a_long_one_is_a_block(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    struct imp_iv *c = imp_iv_child(s->map, "command", IMP_IV_LIST);
    imp_iv_push(c, "a", false);
    imp_iv_push(c, "b c", false);
    char *t = imp_render_service(s);
    assert_contains(t, "command: [\"a\", \"b c\"]\n");
    free(t);
    for (int i = 0; i < 10; i++)
        imp_iv_push(c, "a-long-argument", false);
    t = imp_render_service(s);
    assert_contains(t, "command:\n  - a\n  - \"b c\"\n  - a-long-argument\n");
    free(t);
    svc_free(s);
}

static void a_script_is_a_literal_block(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    imp_iv_note(imp_iv_set(s->map, "command", "set -e\n  indented\necho $x\n", false), "from run");
    char *t = imp_render_service(s);
    assert_contains(t, "command: |  # from run\n  set -e\n    indented\n  echo $x\n");
    free(t);
    imp_iv_set(s->map, "command", "a\nb", false);
    t = imp_render_service(s);
    assert_contains(t, "command: |-\n  a\n  b\n");
    free(t);
    svc_free(s);
}

static void a_commented_entry_makes_its_map_a_block(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    imp_dep(s, "db", "ready", NULL);
    char *t = imp_render_service(s);
    assert_contains(t, "depends_on: {db: {condition: ready}}\n");
    free(t);
    imp_dep(s, "cache", "started", "priority 1 before 2");
    t = imp_render_service(s);
    assert_contains(t, "depends_on:\n  db: {condition: ready}\n"
                       "  cache: {condition: started}  # priority 1 before 2\n");
    free(t);
    svc_free(s);
}

static void the_report_groups_items_by_kind_and_sorts_them_by_place(void **state)
{
    (void)state;
    struct imp m;
    imp_init(&m, "supervisord", NULL);
    imp_report(&m, IMP_UNNEEDED, "a.conf:3", "x", "why x");
    imp_report(&m, IMP_UNMAPPED, "a.conf:10", "y", "why y");
    imp_report(&m, IMP_UNMAPPED, "a.conf:9", "z", "why z");
    char *t = imp_render_report(&m);
    assert_contains(t, "Not mapped (corral has no equivalent; the files go without it):\n"
                       "  a.conf:9: z\n      why z\n  a.conf:10: y\n      why y\n\n"
                       "Not needed under corral:\n  a.conf:3: x\n      why x\n");
    free(t);
    imp_free(&m);
}

/* A key that is empty or holds YAML's own characters is quoted, so that the
 * file stays YAML whatever a mapper put in a map. */
static void keys_yaml_would_misread_are_quoted(void **state)
{
    (void)state;
    struct imp_service *s = svc();
    struct imp_iv *env = imp_iv_child(s->map, "environment", IMP_IV_MAP);
    imp_iv_set(env, "", "a", false);
    imp_iv_set(env, "b: c", "d", false);
    imp_iv_set(env, "OK_1", "v", false);
    char *t = imp_render_service(s);
    assert_contains(t, "environment: {\"\": a, \"b: c\": d, OK_1: v}\n");
    free(t);
    imp_iv_set(env, "#x", "line\nbreak", false);
    t = imp_render_service(s);
    assert_contains(t, "  \"#x\": |-\n");
    free(t);
    svc_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_come_out_in_the_references_order),
        cmocka_unit_test(keys_yaml_would_misread_are_quoted),
        cmocka_unit_test(values_another_reader_would_type_are_quoted),
        cmocka_unit_test(a_short_list_is_flow_and_a_long_one_is_a_block),
        cmocka_unit_test(a_script_is_a_literal_block),
        cmocka_unit_test(a_commented_entry_makes_its_map_a_block),
        cmocka_unit_test(the_report_groups_items_by_kind_and_sorts_them_by_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
