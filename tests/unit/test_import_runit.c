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

/* What each tool accepts runs, converted as it reads it: chpst -u :0: and
 * ::5 scan an empty number as 0 (uid 0, gid 0 and 5); s6-setuidgid ''
 * runs the program unchanged (no user change, not needed). setuser a:b
 * looks up "a:b" as one name and aborts: left out. */
static void user_changes_are_read_as_each_tool_reads_them(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nexec chpst -u :0: a\n", "/sv/b/run",
                         "#!/bin/sh\nexec chpst -u ::5 b\n", "/sv/c/run",
                         "#!/bin/sh\nexec s6-setuidgid '' c\n", "/sv/d/run",
                         "#!/bin/sh\nexec setuser a:b d\n", "/sv/e/run",
                         "#!/bin/sh\nexec s6-setuidgid nobody e\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *e = fx_service(&m, "e");
    assert_contains(a, "user: \"0\"  # /sv/a/run\ngroup: \"0\"\n");
    assert_contains(b, "user: \"0\"  # /sv/b/run\ngroup: \"5\"\n");
    assert_true(fx_reported(&m, IMP_CHANGED, "chpst -u :0:", "scans an empty number as 0"));
    assert_false(fx_reported(&m, IMP_UNMAPPED, "chpst -u :0:", ""));
    assert_false(fx_reported(&m, IMP_UNMAPPED, "chpst -u ::5", ""));
    assert_lacks(c, "user:");
    assert_contains(c, "command: [\"c\"]");
    assert_true(fx_reported(&m, IMP_UNNEEDED, "s6-setuidgid ''", "runs the program unchanged"));
    assert_null(imp_find(&m, "d"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "setuser a:b", "as one user name"));
    /* s6-setuidgid USER sets USER's groups from /etc/group, as corral does. */
    assert_contains(e, "user: nobody  # /sv/e/run\n");
    assert_lacks(e, "group:");
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

/* chpst -u USER sets USER's primary group alone: group: is written from
 * the image's /etc/passwd, since corral without group: would add the
 * groups /etc/group lists USER in. A USER that /etc/passwd does not hold
 * is refused by chpst at every start: left out. Where there is no
 * /etc/passwd to say, the difference is reported. */
static void chpst_u_user_sets_the_primary_group_alone(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nexec chpst -u app a\n", "/sv/b/run",
                         "#!/bin/sh\nexec chpst -u ghost b\n", "/etc/passwd",
                         "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"
                         "apple:x:1002:1002::/:/bin/sh\n",
                         NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "user: app  # /sv/a/run\ngroup: \"1001\"  # app's primary group");
    assert_null(imp_find(&m, "b"));
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "chpst -u ghost", "there is no user named ghost");
    assert_non_null(it);
    assert_string_equal(it->where, "/sv/b/run:2");
    assert_false(fx_reported(&m, IMP_CHANGED, "chpst -u ghost", "primary group"));
    assert_false(fx_check_took_out(&m));
    free(a);
    imp_free(&m);
    fx_rmtree(root);

    root = fx_tree("/sv/c/run", "#!/bin/sh\nexec chpst -u app c\n", NULL);
    fx_import(&m, "runit", "/sv", root);
    char *c = fx_service(&m, "c");
    assert_contains(c, "user: app  # /sv/c/run\n");
    assert_lacks(c, "group:");
    it = fx_item(&m, IMP_CHANGED, "chpst -u app", "primary group alone");
    assert_non_null(it);
    assert_string_equal(it->where, "/sv/c/run:2");
    free(c);
    imp_free(&m);
    fx_rmtree(root);
}

/* chpst -u, setuser and s6-setuidgid look USER (and chpst a GROUP) up by
 * name, where corral reads digits as a uid or gid: a name of digits alone
 * is written as the id of the entry so named, and left out when the image
 * has no such entry (the tool refused it at every start) or no account
 * file to say. */
static void a_user_name_of_digits_is_looked_up_by_name(void **state)
{
    (void)state;
    char *root = fx_tree(
        "/sv/a/run", "#!/bin/sh\nexec chpst -u 0 a\n", "/sv/b/run", "#!/bin/sh\nexec setuser 0 b\n",
        "/sv/c/run", "#!/bin/sh\nexec s6-setuidgid 0 c\n", "/sv/d/run",
        "#!/bin/sh\nexec chpst -u nobody:0 d\n", "/sv/e/run", "#!/bin/sh\nexec chpst -u 7 e\n",
        "/sv/f/run", "#!/bin/sh\nexec chpst -u nobody:8 f\n", "/sv/g/run",
        "#!/bin/sh\nexec setuser 7 g\n", "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"
        "7:x:1007:1008::/:/bin/sh\n",
        "/etc/group", "root:x:0:\nnogroup:x:65534:\n8:x:1009:\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    assert_null(imp_find(&m, "a"));
    assert_null(imp_find(&m, "b"));
    assert_null(imp_find(&m, "c"));
    assert_null(imp_find(&m, "d"));
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "chpst -u 0",
                                        "chpst looks the user up by name and there is no user "
                                        "named 0 in /etc/passwd: it never started; use -u");
    assert_non_null(it);
    assert_string_equal(it->where, "/sv/a/run:2");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "setuser 0", "no user named 0"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "s6-setuidgid 0", "no user named 0"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "chpst -u nobody:0", "no group named 0"));
    char *e = fx_service(&m, "e"), *f = fx_service(&m, "f"), *g = fx_service(&m, "g");
    assert_contains(e, "user: \"1007\"  # the user named 7");
    assert_contains(e, "group: \"1008\"  # 7's primary group");
    assert_contains(f, "user: nobody  # /sv/f/run\ngroup: \"1009\"  # the group named 8");
    assert_contains(g, "user: \"1007\"  # the user named 7");
    assert_lacks(g, "group:");
    assert_false(fx_check_took_out(&m));
    free(e);
    free(f);
    free(g);
    imp_free(&m);
    fx_rmtree(root);

    /* No /etc/passwd or /etc/group to say: left out too. */
    root = fx_tree("/sv/a/run", "#!/bin/sh\nexec s6-setuidgid 0 a\n", NULL);
    fx_import(&m, "runit", "/sv", root);
    assert_null(imp_find(&m, "a"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "s6-setuidgid 0", "/etc/passwd cannot be read"));
    imp_free(&m);
    fx_rmtree(root);
}

/* s6-setuidgid UID:GID hands UID and GID to s6-applyuidgid -u and -g,
 * which take whole numbers: anything else, or a third field, is refused at
 * every start, and the service left out. */
static void s6_setuidgid_uid_gid_takes_two_numbers(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nexec s6-setuidgid 1000:1001 a\n", "/sv/b/run",
                         "#!/bin/sh\nexec s6-setuidgid app:1001 b\n", "/sv/c/run",
                         "#!/bin/sh\nexec s6-setuidgid 1000:staff c\n", "/sv/d/run",
                         "#!/bin/sh\nexec s6-setuidgid 1:2:3 d\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "user: \"1000\"  # /sv/a/run\ngroup: \"1001\"\n");
    assert_null(imp_find(&m, "b"));
    assert_null(imp_find(&m, "c"));
    assert_null(imp_find(&m, "d"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "s6-setuidgid app:1001", "whole numbers"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "s6-setuidgid 1000:staff", "whole numbers"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "s6-setuidgid 1:2:3", "whole numbers"));
    assert_false(fx_check_took_out(&m));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

/* runit's uidgids_set takes nothing after the gids of -u :UID:GID but
 * further `:GID` fields: `:1000:g` and `:1000:1000abc` are refused at every
 * start, so the service is left out rather than run with gid 0. */
static void chpst_numeric_user_refuses_trailing_characters(void **state)
{
    (void)state;
    char *root = fx_tree("/sv/a/run", "#!/bin/sh\nexec chpst -u :1000:g a\n", "/sv/b/run",
                         "#!/bin/sh\nexec chpst -u :1000:1000abc b\n", "/sv/c/run",
                         "#!/bin/sh\nexec chpst -u :1000:1000:5: c\n", NULL);
    struct imp m;
    fx_import(&m, "runit", "/sv", root);
    assert_null(imp_find(&m, "a"));
    assert_null(imp_find(&m, "b"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "chpst -u :1000:g", "invalid uid/gids"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "chpst -u :1000:1000abc", "invalid uid/gids"));
    char *c = fx_service(&m, "c");
    assert_contains(c, "user: \"1000\"  # /sv/c/run\ngroup: \"1000\"\n");
    assert_false(fx_check_took_out(&m));
    free(c);
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
        cmocka_unit_test(user_changes_are_read_as_each_tool_reads_them),
        cmocka_unit_test(chpst_u_user_sets_the_primary_group_alone),
        cmocka_unit_test(chpst_numeric_user_refuses_trailing_characters),
        cmocka_unit_test(a_user_name_of_digits_is_looked_up_by_name),
        cmocka_unit_test(s6_setuidgid_uid_gid_takes_two_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
