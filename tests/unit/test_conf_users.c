/* test_conf_users.c - user and group resolution at load time, through the
 * fake user database of the fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ident.h"
#include "test_conf_fixture.h"

static struct conf_service *load_ok(const char *yaml)
{
    int rc;
    struct conf_service *s = fix_load(yaml, &rc);
    if (!s)
        fail_msg("load failed (%d): %s", rc, fix_text);
    return s;
}

static void a_user_name_gives_its_uid_primary_group_and_groups(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: redis\n");
    assert_true(s->set_ids);
    assert_string_equal(s->user, "redis");
    assert_int_equal(s->uid, 999);
    assert_int_equal(s->gid, 999);
    assert_int_equal(s->ngroups, 2);
    assert_int_equal(s->groups[0], 999);
    assert_int_equal(s->groups[1], 50);
    conf_service_free(s);
}

static void a_group_overrides_the_primary_group(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: app\ngroup: staff\n");
    assert_int_equal(s->uid, 1000);
    assert_int_equal(s->gid, 50);
    assert_int_equal(s->ngroups, 1);
    assert_int_equal(s->groups[0], 50);
    conf_service_free(s);
}

/* redis is a member of staff too: with a group given, that group is its
 * only one, as runc gives `USER redis:77` no supplementary groups. */
static void a_group_given_is_the_only_group(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: redis\ngroup: \"77\"\n");
    assert_int_equal(s->uid, 999);
    assert_int_equal(s->gid, 77);
    assert_int_equal(s->ngroups, 1);
    assert_int_equal(s->groups[0], 77);
    conf_service_free(s);
}

static void a_known_uid_takes_its_passwd_entry(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: 999\n");
    assert_int_equal(s->uid, 999);
    assert_int_equal(s->gid, 999);
    assert_int_equal(s->ngroups, 2);
    conf_service_free(s);
}

static void an_unknown_uid_runs_with_gid_0_like_docker(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: \"4242\"\n");
    assert_int_equal(s->uid, 4242);
    assert_int_equal(s->gid, 0);
    assert_int_equal(s->ngroups, 1);
    assert_int_equal(s->groups[0], 0);
    conf_service_free(s);
}

static void numeric_user_and_group_need_no_database(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\nuser: 4242\ngroup: 4343\n");
    assert_int_equal(s->uid, 4242);
    assert_int_equal(s->gid, 4343);
    assert_int_equal(s->groups[0], 4343);
    conf_service_free(s);
}

static void a_group_alone_keeps_the_user_unset(void **state)
{
    (void)state;
    struct conf_service *s = load_ok("command: [srv]\ngroup: staff\n");
    assert_true(s->set_ids);
    assert_null(s->user);
    assert_int_equal(s->gid, 50);
    assert_int_equal(s->ngroups, 1);
    conf_service_free(s);
}

static void a_uid_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    assert_string_equal(
        fix_fail("command: [srv]\nuser: 4294967295\n"),
        "web.yaml:2:7: user: expected a user name or uid, got unknown user \"4294967295\"");
}

static void an_empty_user_is_refused(void **state)
{
    (void)state;
    assert_string_equal(fix_fail("command: [srv]\nuser: \"\"\n"),
                        "web.yaml:2:7: user: expected a name or a number, got \"\"");
}

static void another_user_is_refused_when_corral_is_not_root(void **state)
{
    (void)state;
    fix_own_uid = 1000;
    fix_own_gid = 1000;
    assert_string_equal(fix_fail("command: [srv]\nuser: redis\n"),
                        "web.yaml:2:7: user: expected corral's own user (uid 1000, gid 1000) or "
                        "none: corral does not run as root, so it cannot run a service as uid "
                        "999, gid 999 (run corral as root, or remove user:)");
    assert_string_equal(fix_fail("command: [srv]\nuser: app\ngroup: staff\n"),
                        "web.yaml:3:8: group: expected corral's own user (uid 1000, gid 1000) or "
                        "none: corral does not run as root, so it cannot run a service as uid "
                        "1000, gid 50 (run corral as root, or remove group:)");
    /* Its own user changes nothing: no setgroups, which only root may call. */
    struct conf_service *s = load_ok("command: [srv]\nuser: app\n");
    assert_false(s->set_ids);
    assert_string_equal(s->user, "app");
    conf_service_free(s);
    fix_own_uid = 0;
    fix_own_gid = 0;
}

static void ident_group_resolves_names_and_numbers(void **state)
{
    (void)state;
    gid_t gid = 1;
    assert_int_equal(ident_group(&fix_env, "staff", &gid), 0);
    assert_int_equal(gid, 50);
    assert_int_equal(ident_group(&fix_env, "77", &gid), 0);
    assert_int_equal(gid, 77);
    assert_int_equal(ident_group(&fix_env, "wheel", &gid), -ENOENT);
}

static void the_real_database_knows_root(void **state)
{
    (void)state;
    struct ident id;
    int bad_group;
    assert_int_equal(ident_resolve(NULL, "root", NULL, &id, &bad_group), 0);
    assert_int_equal(id.uid, 0);
    assert_int_equal(id.gid, 0);
    assert_true(id.ngroups >= 1);
    free(id.groups);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_user_name_gives_its_uid_primary_group_and_groups),
        cmocka_unit_test(a_group_overrides_the_primary_group),
        cmocka_unit_test(a_group_given_is_the_only_group),
        cmocka_unit_test(a_known_uid_takes_its_passwd_entry),
        cmocka_unit_test(an_unknown_uid_runs_with_gid_0_like_docker),
        cmocka_unit_test(numeric_user_and_group_need_no_database),
        cmocka_unit_test(a_group_alone_keeps_the_user_unset),
        cmocka_unit_test(a_uid_that_does_not_fit_is_refused),
        cmocka_unit_test(an_empty_user_is_refused),
        cmocka_unit_test(another_user_is_refused_when_corral_is_not_root),
        cmocka_unit_test(ident_group_resolves_names_and_numbers),
        cmocka_unit_test(the_real_database_knows_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
