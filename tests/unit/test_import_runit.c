/* test_import_runit.c - `corral import runit`: a baseimage-docker tree
 * (tests/import/baseimage: /etc/service, /etc/my_init.d) and the shapes
 * of runit service directories: run, down, finish, check, log/run, and
 * symbolic links into /etc/sv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_import_fixture.h"

static void a_baseimage_tree_matches_its_golden_files(void **state)
{
    (void)state;
    struct imp m;
    fx_golden(&m, "runit", "baseimage", "/");
    assert_true(fx_reported(&m, IMP_CHANGED, "sv start", "depends_on"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "exec 2>&1", "same sinks"));
    assert_true(fx_reported(&m, IMP_CHANGED, "svlogd", "logs.file"));
    char *glob = imp_render_global(&m);
    assert_contains(glob, "startup_scripts: /etc/my_init.d");
    free(glob);
    imp_free(&m);
}

static void a_service_directory_maps_down_finish_and_check(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nexec a --fg\n", "/sv/a/down", "", "/sv/a/finish",
                         "#!/bin/sh\n", "/sv/a/check", "#!/bin/sh\nnc -z x 1\n", "/sv/a/control/t",
                         "#!/bin/sh\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "command: [\"a\", \"--fg\"]");
    assert_contains(a, "autostart: false  # /sv/a/down exists");
    assert_contains(a, "finish: [\"/sv/a/finish\"]");
    assert_contains(a, "readiness: {exec: [\"/sv/a/check\"]}");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "control", "corralctl signal"));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_script_that_does_more_keeps_its_lines_without_the_idioms(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/b/run",
                         "#!/bin/bash\nexec 2>&1\nsv start a || exit 1\nmkdir -p /run/b\n"
                         "exec chpst -u nobody b -d ${DIR}\n",
                         "/sv/a/run", "#!/bin/sh\nexec a\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *b = fx_service(&m, "b");
    assert_contains(b, "command:  # /sv/b/run, without the lines corral does itself\n"
                       "  - /bin/bash\n  - \"-c\"\n  - |\n"
                       "    mkdir -p /run/b\n    exec chpst -u nobody b -d $${DIR}\n");
    assert_contains(b, "depends_on: {a: {condition: ready}}");
    assert_lacks(b, "user:"); /* the setup lines still run as root */
    assert_true(fx_reported(&m, IMP_CHANGED, "chpst", "keep it in the image"));
    free(b);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_link_to_etc_sv_is_followed_inside_the_root(void **state)
{
    (void)state;
    char *root = fx_tree("/etc/sv/cron/run", "#!/bin/sh\nexec cron -f\n", "/etc/service/cron", "->",
                         "/etc/sv/cron", NULL);
    struct imp m;
    fx_import(&m, "runit", "/", root);
    char *c = fx_service(&m, "cron");
    assert_contains(c, "command: [\"cron\", \"-f\"]  # /etc/sv/cron/run");
    free(c);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_dependency_on_a_service_not_imported_is_reported(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nsv check db || exit 1\nexec a\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *a = fx_service(&m, "a");
    assert_lacks(a, "depends_on");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "db", "no service of that name"));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void my_inits_rc_local_and_container_environment_are_reported(void **state)
{
    (void)state;
    char *root = fx_tree("/etc/service/a/run", "#!/bin/sh\nexec a\n", "/etc/rc.local",
                         "#!/bin/sh\n", "/etc/container_environment/FOO", "bar", NULL);
    struct imp m;
    fx_import(&m, "my_init", "/", root);
    assert_true(fx_reported(&m, IMP_UNMAPPED, "rc.local", "move it into that directory"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "container_environment", "environment"));
    char *glob = imp_render_global(&m);
    assert_lacks(glob, "startup_scripts"); /* no /etc/my_init.d */
    free(glob);
    imp_free(&m);
    fx_rmtree(root);
}

/* chpst, setuser and s6-setuidgid refuse a user change with an empty user
 * or group at every start, so the program never ran: the service is left
 * out by the mapper, at the line that says it, rather than run as corral's
 * own user (which the last check would have left it, taking out user:).
 * chpst's :UID:GID is numbers; the groups past its first are reported. */
static void a_user_change_that_names_no_user_leaves_the_service_out(void **state)
{
    (void)state;
    char *root = fx_tree(
        "/sv/a/run", "#!/bin/sh\nexec chpst -u '' a\n", "/sv/b/run",
        "#!/bin/sh\nexec chpst -u :g b\n", "/sv/c/run", "#!/bin/sh\nexec chpst -u x: c\n",
        "/sv/d/run", "#!/bin/sh\nexec chpst -u :1000:1000 d\n", "/sv/e/run",
        "#!/bin/sh\nexec chpst -u x:g1:27 e\n", "/sv/f/run", "#!/bin/sh\nexec setuser '' f\n",
        "/sv/g/run", "#!/bin/sh\nsv start a || exit 1\nexec g\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    assert_null(imp_find(&m, "a"));
    assert_null(imp_find(&m, "b"));
    assert_null(imp_find(&m, "c"));
    assert_null(imp_find(&m, "f"));
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "chpst -u ''", "an empty user names none: chpst");
    assert_non_null(it);
    assert_string_equal(it->where, "/sv/a/run:2");
    assert_contains(it->why, "a is left out rather than run as corral's own user");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "chpst -u :g", "\"invalid uid/gids\""));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "chpst -u x:", "an empty group names none"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "setuser ''", "an empty user names none"));
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e"), *g = fx_service(&m, "g");
    assert_contains(d, "user: \"1000\"  # /sv/d/run\ngroup: \"1000\"\n");
    assert_contains(e, "user: x  # /sv/e/run\ngroup: g1\n");
    assert_true(fx_reported(&m, IMP_CHANGED, "chpst -u x:g1:27", "27 are not set"));
    assert_lacks(g, "depends_on");
    assert_false(fx_check_took_out(&m));
    free(d);
    free(e);
    free(g);
    imp_free(&m);
    fx_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_baseimage_tree_matches_its_golden_files),
        cmocka_unit_test(a_service_directory_maps_down_finish_and_check),
        cmocka_unit_test(a_script_that_does_more_keeps_its_lines_without_the_idioms),
        cmocka_unit_test(a_link_to_etc_sv_is_followed_inside_the_root),
        cmocka_unit_test(a_dependency_on_a_service_not_imported_is_reported),
        cmocka_unit_test(my_inits_rc_local_and_container_environment_are_reported),
        cmocka_unit_test(a_user_change_that_names_no_user_leaves_the_service_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
