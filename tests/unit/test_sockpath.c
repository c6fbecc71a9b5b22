/* test_sockpath.c - the control socket's candidate paths, in order, with
 * the environment given through the lookup hook. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockpath.h"

/* arg is a NULL-terminated list of "NAME=value". */
static const char *fake_env(void *arg, const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = arg; *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

static void without_environment_the_run_dir_then_tmp_then_the_abstract_name(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 1000, out, 4, fake_env, env), 3);
    assert_string_equal(out[0], "/run/corral/corral.sock");
    assert_string_equal(out[1], "/tmp/corral-1000/corral.sock");
    assert_string_equal(out[2], "@corral-1000");
}

static void xdg_runtime_dir_comes_between(void **state)
{
    (void)state;
    const char *env[] = {"XDG_RUNTIME_DIR=/run/user/1000", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 1000, out, 4, fake_env, env), 4);
    assert_string_equal(out[0], "/run/corral/corral.sock");
    assert_string_equal(out[1], "/run/user/1000/corral.sock");
    assert_string_equal(out[2], "/tmp/corral-1000/corral.sock");
    assert_string_equal(out[3], "@corral-1000");
}

static void a_relative_xdg_runtime_dir_is_ignored(void **state)
{
    (void)state;
    const char *env[] = {"XDG_RUNTIME_DIR=run/user", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 4, fake_env, env), 3);
    assert_string_equal(out[1], "/tmp/corral-0/corral.sock");
}

static void an_explicit_path_is_the_only_candidate(void **state)
{
    (void)state;
    const char *env[] = {"CORRAL_SOCKET=/env.sock", "XDG_RUNTIME_DIR=/x", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env("/tmp/x.sock", 0, out, 3, fake_env, env), 1);
    assert_string_equal(out[0], "/tmp/x.sock");
}

static void corral_socket_is_the_only_candidate(void **state)
{
    (void)state;
    const char *env[] = {"CORRAL_SOCKET=/env.sock", "XDG_RUNTIME_DIR=/x", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 3, fake_env, env), 1);
    assert_string_equal(out[0], "/env.sock");
    assert_int_equal(sockpath_candidates_env("", 0, out, 3, fake_env, env), 1);
    assert_string_equal(out[0], "/env.sock");
}

static void an_empty_corral_socket_is_unset(void **state)
{
    (void)state;
    const char *env[] = {"CORRAL_SOCKET=", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 5, out, 4, fake_env, env), 3);
    assert_string_equal(out[0], "/run/corral/corral.sock");
}

static void a_path_too_long_for_sun_path_is_refused_or_skipped(void **state)
{
    (void)state;
    char longdir[SOCKPATH_MAX + 16];
    char var[sizeof longdir + 32];
    const char *env[] = {var, NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    memset(longdir, 'a', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = '\0';
    assert_int_equal(sockpath_candidates_env(longdir, 0, out, 3, fake_env, env), -ENAMETOOLONG);
    snprintf(var, sizeof var, "CORRAL_SOCKET=%s", longdir);
    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 3, fake_env, env), -ENAMETOOLONG);
    /* 103 bytes of directory + "/corral.sock" is too long for 108 bytes. */
    longdir[100] = '\0';
    snprintf(var, sizeof var, "XDG_RUNTIME_DIR=%s", longdir);
    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 4, fake_env, env), 3);
    assert_string_equal(out[1], "/tmp/corral-0/corral.sock");
}

static void max_bounds_the_output(void **state)
{
    (void)state;
    const char *env[] = {"XDG_RUNTIME_DIR=/x", NULL};
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 1, fake_env, env), 1);
    assert_string_equal(out[0], "/run/corral/corral.sock");
    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 2, fake_env, env), 2);
    assert_string_equal(out[1], "/x/corral.sock");
    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 3, fake_env, env), 3);
    assert_string_equal(out[2], "/tmp/corral-0/corral.sock");
    assert_int_equal(sockpath_candidates_env(NULL, 0, out, 0, fake_env, env), -EINVAL);
}

static void the_getenv_variant_reads_the_process_environment(void **state)
{
    (void)state;
    char out[SOCKPATH_CANDIDATES][SOCKPATH_MAX];

    assert_int_equal(setenv("CORRAL_SOCKET", "/from/env.sock", 1), 0);
    assert_int_equal(sockpath_candidates(NULL, 0, out, 3), 1);
    assert_string_equal(out[0], "/from/env.sock");
    unsetenv("CORRAL_SOCKET");
    unsetenv("XDG_RUNTIME_DIR");
    assert_int_equal(sockpath_candidates(NULL, 42, out, 4), 3);
    assert_string_equal(out[1], "/tmp/corral-42/corral.sock");
}

static void the_private_dir_is_named_after_the_uid(void **state)
{
    (void)state;
    char buf[32];

    assert_int_equal(sockpath_private_dir(1000, buf, sizeof buf), 0);
    assert_string_equal(buf, "/tmp/corral-1000");
    assert_int_equal(sockpath_private_dir(1000, buf, 8), -ENAMETOOLONG);
}

static void the_abstract_name_is_named_after_the_uid(void **state)
{
    (void)state;
    char buf[32];

    assert_int_equal(sockpath_abstract(1000, buf, sizeof buf), 0);
    assert_string_equal(buf, "@corral-1000");
    assert_int_equal(sockpath_abstract(1000, buf, 8), -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_environment_the_run_dir_then_tmp_then_the_abstract_name),
        cmocka_unit_test(xdg_runtime_dir_comes_between),
        cmocka_unit_test(a_relative_xdg_runtime_dir_is_ignored),
        cmocka_unit_test(an_explicit_path_is_the_only_candidate),
        cmocka_unit_test(corral_socket_is_the_only_candidate),
        cmocka_unit_test(an_empty_corral_socket_is_unset),
        cmocka_unit_test(a_path_too_long_for_sun_path_is_refused_or_skipped),
        cmocka_unit_test(max_bounds_the_output),
        cmocka_unit_test(the_getenv_variant_reads_the_process_environment),
        cmocka_unit_test(the_private_dir_is_named_after_the_uid),
        cmocka_unit_test(the_abstract_name_is_named_after_the_uid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
