/* test_import_procfile.c - `corral import procfile`: a Rails Procfile
 * (tests/import/procfile) and the conventions of foreman, overmind and
 * honcho: one service per line, shell commands, PORT 5000 + 100 per line,
 * .env, and Heroku's release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_import_fixture.h"

static void a_rails_procfile_matches_its_golden_files(void **state)
{
    (void)state;
    struct imp m;
    fx_golden(&m, "procfile", "procfile", "/app/Procfile");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "not a process line", "expected NAME: COMMAND"));
    assert_true(fx_reported(&m, IMP_CHANGED, "env_file", "copied into environment:"));
    assert_true(fx_reported(&m, IMP_CHANGED, "Clock", "named clock"));
    imp_free(&m);
}

static void each_process_type_gets_the_port_foreman_would_give_it(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web: puma -p $PORT\nworker: sidekiq\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char *web = fx_service(&m, "web"), *worker = fx_service(&m, "worker");
    assert_contains(web, "command: \"puma -p $PORT\"");
    assert_contains(web, "PORT: \"5000\"");
    assert_contains(worker, "PORT: \"5100\"");
    assert_lacks(web, "env_file"); /* no .env beside it */
    free(web);
    free(worker);
    imp_free(&m);
    fx_rmtree(root);
}

static void shell_braces_reach_the_shell_not_corral(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web: exec puma -p ${PORT:-3000}\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char *web = fx_service(&m, "web");
    assert_contains(web, "command: \"exec puma -p $${PORT:-3000}\"");
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

static void release_runs_once_before_the_others(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web: puma\nrelease: rails db:migrate\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char *rel = fx_service(&m, "release"), *web = fx_service(&m, "web");
    assert_contains(rel, "type: oneshot");
    assert_lacks(rel, "PORT");
    assert_contains(web, "depends_on: {release: {condition: completed}}");
    free(rel);
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

static void an_env_file_with_quotes_is_copied_and_port_stays_foremans(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web: puma\n", "/.env",
                         "# comment\nexport A=\"x y\"\nPORT=80\nB='${HOME}'\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char *web = fx_service(&m, "web");
    assert_contains(web,
                    "  PORT: \"5000\"\n  A: \"x y\"  # /.env:2\n  B: \"$${HOME}\"  # /.env:4\n");
    assert_lacks(web, "env_file");
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_plain_env_file_is_read_by_corral(void **state)
{
    (void)state;
    char *root = fx_tree("/app/Procfile", "web: puma\n", "/app/.env", "A=1\nB=two words\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/app/Procfile", root);
    char *web = fx_service(&m, "web");
    assert_contains(web, "env_file: /app/.env");
    assert_lacks(web, "two words");
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

/* foreman, overmind and honcho skip a line with nothing after the colon:
 * it is reported by the mapper (not left to the last check, which would
 * name corral's refusal of an empty command), and it takes no port. */
static void a_line_without_a_command_is_left_out_and_takes_no_port(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web:\nclock:   \nworker: sidekiq\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    assert_null(imp_find(&m, "web"));
    assert_null(imp_find(&m, "clock"));
    char *worker = fx_service(&m, "worker");
    assert_contains(worker, "PORT: \"5000\"");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "web:", "no command after the name");
    assert_non_null(it);
    assert_string_equal(it->where, "/Procfile:1");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "clock:", "skip the line too"));
    assert_false(fx_check_took_out(&m));
    free(worker);
    imp_free(&m);
    fx_rmtree(root);
}

/* corral's environment: takes [A-Za-z_][A-Za-z0-9_]* names; foreman
 * passes any. The others are left out of the copy, each reported once
 * with its line, and the rest of the file (and PORT) stays. */
static void a_variable_name_corral_does_not_take_is_left_out_of_the_env_file(void **state)
{
    (void)state;
    char *root = fx_tree("/Procfile", "web: puma\nworker: sidekiq\n", "/.env",
                         "export A=1\nA.B=2\n1X=3\nB-C=4\n=5\nGOOD=6\n", NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char *web = fx_service(&m, "web");
    assert_contains(web, "  PORT: \"5000\"\n  A: \"1\"  # /.env:1\n  GOOD: \"6\"  # /.env:6\n");
    assert_lacks(web, "A.B");
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "A.B", "\"A.B\" is not a variable name corral takes");
    assert_non_null(it);
    assert_string_equal(it->where, "/.env:2");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "1X", "not a variable name"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "B-C", "not a variable name"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "", "\"\" is not a variable name"));
    size_t n = 0;
    for (const struct imp_item *i = m.items; i; i = i->next)
        n += strstr(i->why, "\"A.B\"") != NULL;
    assert_int_equal(n, 1); /* once for the file, not once per service */
    assert_false(fx_check_took_out(&m));
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

/* A name longer than a file name can hold is cut, and a second one that
 * cuts to the same name still fits with its -2: the import writes both
 * files instead of failing with "File name too long". */
static void a_name_too_long_for_a_file_is_cut_to_one_that_fits(void **state)
{
    (void)state;
    char line[2 * 310 + 64], a[301], b[301];
    memset(a, 'a', 300);
    a[300] = '\0';
    memcpy(b, a, sizeof b);
    b[299] = 'b';
    snprintf(line, sizeof line, "%s: run a\n%s: run b\n", a, b);
    char *root = fx_tree("/Procfile", line, NULL);
    struct imp m;
    fx_import(&m, "procfile", "/Procfile", root);
    char want[IMP_NAME_MAX + 1];
    memset(want, 'a', IMP_NAME_MAX);
    want[IMP_NAME_MAX] = '\0';
    assert_int_equal(IMP_NAME_MAX, 246);
    assert_non_null(imp_find(&m, want));
    memcpy(want + IMP_NAME_MAX - 2, "-2", 2);
    assert_non_null(imp_find(&m, want));
    assert_true(fx_reported(&m, IMP_CHANGED, "aaaa", "at most 246 characters"));
    char *dir = fx_tree(NULL), err[512];
    assert_int_equal(import_write(&m, dir, err, sizeof err), 0);
    imp_free(&m);
    fx_rmtree(dir);
    fx_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_rails_procfile_matches_its_golden_files),
        cmocka_unit_test(a_name_too_long_for_a_file_is_cut_to_one_that_fits),
        cmocka_unit_test(each_process_type_gets_the_port_foreman_would_give_it),
        cmocka_unit_test(shell_braces_reach_the_shell_not_corral),
        cmocka_unit_test(release_runs_once_before_the_others),
        cmocka_unit_test(an_env_file_with_quotes_is_copied_and_port_stays_foremans),
        cmocka_unit_test(a_plain_env_file_is_read_by_corral),
        cmocka_unit_test(a_line_without_a_command_is_left_out_and_takes_no_port),
        cmocka_unit_test(a_variable_name_corral_does_not_take_is_left_out_of_the_env_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
