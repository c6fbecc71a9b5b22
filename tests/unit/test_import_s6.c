/* test_import_s6.c - `corral import s6`: an s6-overlay v3 tree
 * (tests/import/s6-overlay: s6-rc.d with longruns, a oneshot, bundles,
 * cont-init.d) and each s6-rc file on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf.h"
#include "test_import_fixture.h"

static void an_s6_overlay_tree_matches_its_golden_files(void **state)
{
    (void)state;
    struct imp m;
    fx_golden(&m, "s6", "s6-overlay", "/");
    assert_true(fx_reported(&m, IMP_UNNEEDED, "with-contenv", "environment"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "fdmove -c 2 1", "same sinks"));
    char *glob = imp_render_global(&m);
    assert_contains(glob, "startup_scripts: /etc/cont-init.d");
    free(glob);
    imp_free(&m);
}

static void a_longrun_maps_its_files(void **state)
{
    (void)state;
    char *root = fx_tree("/rc/db/type", "longrun\n", "/rc/db/run",
                         "#!/command/execlineb -P\ns6-setuidgid nobody\npostgres\n",
                         "/rc/db/notification-fd", "4\n", "/rc/db/timeout-up", "5000\n",
                         "/rc/db/timeout-kill", "12000\n", "/rc/db/down-signal", "SIGINT\n",
                         "/rc/db/max-death-tally", "10\n", "/rc/db/env/PGDATA", "/data\n",
                         "/rc/db/notes.txt", "x\n", NULL);
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *db = fx_service(&m, "db");
    assert_contains(db, "command: [\"postgres\"]");
    assert_contains(db, "user: nobody");
    assert_contains(db, "  notify: fd  # notification-fd 4\n  timeout: 5s");
    assert_contains(db, "stop_signal: SIGINT");
    assert_contains(db, "stop_timeout: 12s");
    assert_true(fx_reported(&m, IMP_CHANGED, "4", "fd is 3"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "max-death-tally", "start_limit"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "env", "an envdir"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "notes.txt", "not a file s6-rc reads"));
    free(db);
    imp_free(&m);
    fx_rmtree(root);
}

/* A down-signal corral does not know is left out by the mapper, reported
 * at the file: TERM is sent, as s6-supervise sends it for a down-signal it
 * cannot read, where the last check would take stop_signal out with
 * corral's generic refusal. */
static void a_down_signal_corral_does_not_know_is_left_out(void **state)
{
    (void)state;
    char *root =
        fx_tree("/rc/a/type", "longrun\n", "/rc/a/run", "#!/bin/sh\nexec a\n", "/rc/a/down-signal",
                "SIGFOO\n", "/rc/b/type", "longrun\n", "/rc/b/run", "#!/bin/sh\nexec b\n",
                "/rc/b/down-signal", "99\n", "/rc/c/type", "longrun\n", "/rc/c/run",
                "#!/bin/sh\nexec c\n", "/rc/c/down-signal", "HUP\n", NULL);
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    assert_lacks(a, "stop_signal");
    assert_lacks(b, "stop_signal");
    assert_contains(c, "stop_signal: HUP  # down-signal\n");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "SIGFOO", "not a signal corral knows");
    assert_non_null(it);
    assert_string_equal(it->where, "/rc/a/down-signal");
    assert_contains(it->why, "TERM is sent, as s6-supervise sends it");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "99", "not a signal corral knows"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    imp_free(&m);
    fx_rmtree(root);
}

/* A bundle whose name corral's groups: does not take is renamed as a
 * service name would be, reported once at the bundle; a service in two
 * bundles of the same corral name is in that group once, and one in more
 * than CONF_GROUPS_MAX bundles in the first ones: the last check would
 * take groups: out whole. */
static void bundle_names_become_group_names_corral_takes(void **state)
{
    (void)state;
    char *root = fx_tree("/rc/a/type", "longrun\n", "/rc/a/run", "#!/bin/sh\nexec a\n",
                         "/rc/Web/type", "bundle\n", "/rc/Web/contents.d/a", "", "/rc/web/type",
                         "bundle\n", "/rc/web/contents.d/a", "", NULL);
    char path[PATH_MAX];
    for (int i = 0; i < CONF_GROUPS_MAX; i++) {
        snprintf(path, sizeof path, "%s/rc/g%02d/type", root, i);
        fx_write(path, "bundle\n");
        snprintf(path, sizeof path, "%s/rc/g%02d/contents.d/a", root, i);
        fx_write(path, "");
    }
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "groups:  # s6-rc bundles\n  - web\n  - g00\n");
    assert_lacks(a, "g31");
    const struct imp_item *it = fx_item(&m, IMP_CHANGED, "Web", "group named web");
    assert_non_null(it);
    assert_string_equal(it->where, "/rc/Web");
    assert_true(fx_reported(&m, IMP_UNNEEDED, "web", "a is in group web already"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "g31", "the most corral takes"));
    assert_false(fx_check_took_out(&m));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void dependencies_bundles_and_the_user_bundle(void **state)
{
    (void)state;
    char *root = fx_tree("/rc/prep/type", "oneshot\n", "/rc/prep/up", "/usr/bin/prep --all\n",
                         "/rc/app/type", "longrun\n", "/rc/app/run", "#!/bin/sh\nexec app\n",
                         "/rc/app/dependencies.d/prep", "", "/rc/app/dependencies.d/base", "",
                         "/rc/extra/type", "longrun\n", "/rc/extra/run", "#!/bin/sh\nexec x\n",
                         "/rc/tier/type", "bundle\n", "/rc/tier/contents.d/app", "",
                         "/rc/user/type", "bundle\n", "/rc/user/contents.d/app", "", NULL);
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *prep = fx_service(&m, "prep"), *app = fx_service(&m, "app");
    char *extra = fx_service(&m, "extra");
    assert_contains(prep, "command: [\"/usr/bin/prep\", \"--all\"]");
    assert_contains(prep, "type: oneshot");
    assert_lacks(prep, "autostart"); /* app, in the user bundle, needs it */
    assert_contains(app, "depends_on: {prep: {condition: completed}}");
    assert_contains(app, "groups: [\"tier\"]");
    assert_contains(extra, "autostart: false");
    assert_null(imp_find(&m, "user"));
    assert_null(imp_find(&m, "tier"));
    free(prep);
    free(app);
    free(extra);
    imp_free(&m);
    fx_rmtree(root);
}

static void legacy_services_and_the_finish_scripts_of_an_image_root(void **state)
{
    (void)state;
    char *root =
        fx_tree("/etc/s6-overlay/s6-rc.d/app/type", "longrun\n", "/etc/s6-overlay/s6-rc.d/app/run",
                "#!/bin/sh\nexec app\n", "/etc/services.d/old/run",
                "#!/command/with-contenv sh\nexec s6-setuidgid nobody old-daemon\n",
                "/etc/cont-finish.d/10-flush", "#!/bin/sh\n", NULL);
    struct imp m;
    fx_import(&m, "s6", "/", root);
    char *old = fx_service(&m, "old");
    assert_contains(old, "command: [\"old-daemon\"]  # /etc/services.d/old/run");
    assert_contains(old, "user: nobody");
    char *glob = imp_render_global(&m);
    assert_contains(glob, "post_shutdown_scripts: /etc/cont-finish.d");
    assert_lacks(glob, "startup_scripts"); /* no /etc/cont-init.d */
    free(glob);
    free(old);
    imp_free(&m);
    fx_rmtree(root);
}

/* s6-rc-compile refuses a dependency cycle. The mapper takes out the
 * dependency that closes each cycle (in the order of the names) and
 * reports it with the cycle and the file that lists it; a service that
 * depends on itself, directly or through a bundle, likewise. What is left
 * is not the last check's to take apart. */
static void a_dependency_cycle_loses_the_dependency_that_closes_it(void **state)
{
    (void)state;
    char *root = fx_tree(
        "/rc/a/type", "longrun\n", "/rc/a/run", "#!/bin/sh\nexec a\n", "/rc/a/dependencies.d/b", "",
        "/rc/b/type", "longrun\n", "/rc/b/run", "#!/bin/sh\nexec b\n", "/rc/b/dependencies",
        "base\nc\n", "/rc/c/type", "oneshot\n", "/rc/c/up", "prep\n", "/rc/c/dependencies.d/tier",
        "", "/rc/tier/type", "bundle\n", "/rc/tier/contents.d/a", "", "/rc/d/type", "longrun\n",
        "/rc/d/run", "#!/bin/sh\nexec d\n", "/rc/d/dependencies.d/d", "", "/rc/e/type", "longrun\n",
        "/rc/e/run", "#!/bin/sh\nexec e\n", "/rc/e/dependencies.d/a", "", NULL);
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e");
    assert_contains(a, "depends_on: {b: {condition: ready}}");
    assert_contains(b, "depends_on: {c: {condition: completed}}");
    assert_lacks(c, "depends_on");
    assert_lacks(d, "depends_on");
    assert_contains(e, "depends_on: {a: {condition: ready}}");
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "tier", "a dependency cycle (a -> b -> c -> a)");
    assert_non_null(it);
    assert_string_equal(it->where, "/rc/c/dependencies.d/tier");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "d", "d depends on itself"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

/* In the older dependencies file, the line that lists the dependency. */
static void a_cycle_in_a_dependencies_file_names_its_line(void **state)
{
    (void)state;
    char *root = fx_tree("/rc/x/type", "longrun\n", "/rc/x/run", "#!/bin/sh\nexec x\n",
                         "/rc/x/dependencies", "y\n", "/rc/y/type", "longrun\n", "/rc/y/run",
                         "#!/bin/sh\nexec y\n", "/rc/y/dependencies", "base\n\nx\n", NULL);
    struct imp m;
    fx_import(&m, "s6", "/rc", root);
    char *x = fx_service(&m, "x"), *y = fx_service(&m, "y");
    assert_contains(x, "depends_on: {y: {condition: ready}}");
    assert_lacks(y, "depends_on");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "x", "a dependency cycle (x -> y -> x)");
    assert_non_null(it);
    assert_string_equal(it->where, "/rc/y/dependencies:3");
    assert_false(fx_check_took_out(&m));
    free(x);
    free(y);
    imp_free(&m);
    fx_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_s6_overlay_tree_matches_its_golden_files),
        cmocka_unit_test(a_longrun_maps_its_files),
        cmocka_unit_test(a_down_signal_corral_does_not_know_is_left_out),
        cmocka_unit_test(bundle_names_become_group_names_corral_takes),
        cmocka_unit_test(dependencies_bundles_and_the_user_bundle),
        cmocka_unit_test(legacy_services_and_the_finish_scripts_of_an_image_root),
        cmocka_unit_test(a_dependency_cycle_loses_the_dependency_that_closes_it),
        cmocka_unit_test(a_cycle_in_a_dependencies_file_names_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
