/* test_import_script.c - the idioms of runit and s6 run scripts that
 * `corral import` turns into keys: chpst, setuser, s6-setuidgid, sv start,
 * exec 2>&1, cd, with-contenv, fdmove, execline chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "imp_script.h"
#include "test_import_fixture.h"

static void exec_chpst_becomes_user_group_and_limits(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse(
        "#!/bin/sh\nexec 2>&1\nexec chpst -u www-data:adm -o 1024 -e ./env php-fpm -F\n", &sc);
    assert_non_null(sc.argv);
    assert_string_equal(sc.argv[0], "php-fpm");
    assert_string_equal(sc.argv[1], "-F");
    assert_null(sc.argv[2]);
    assert_string_equal(sc.user, "www-data");
    assert_string_equal(sc.group, "adm");
    assert_int_equal(sc.n_limits, 1);
    assert_string_equal(sc.limits[0].name, "nofile");
    assert_string_equal(sc.limits[0].value, "1024");
    bool envdir = false;
    for (size_t i = 0; i < sc.n_notes; i++)
        envdir |= sc.notes[i].kind == IMP_UNMAPPED && strstr(sc.notes[i].what, "-e ./env");
    assert_true(envdir);
    imp_script_free(&sc);
}

static void sv_start_lines_become_dependencies(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/bin/sh\nsv -w 7 start /etc/service/db redis || exit 1\n"
                     "sv check cache >/dev/null || exit 1\nexec app\n",
                     &sc);
    assert_int_equal(sc.n_deps, 3);
    assert_string_equal(sc.deps[0], "db");
    assert_string_equal(sc.deps[1], "redis");
    assert_string_equal(sc.deps[2], "cache");
    assert_string_equal(sc.argv[0], "app");
    imp_script_free(&sc);
}

static void sv_start_without_an_exit_is_left_alone(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/bin/sh\nsv start db\nexec app\n", &sc);
    assert_int_equal(sc.n_deps, 0);
    assert_null(sc.argv); /* two lines of shell remain: the script runs as it is */
    assert_false(sc.changed);
    imp_script_free(&sc);
}

static void cd_then_exec_becomes_directory_and_command(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/bin/sh\ncd /srv/app\nexec /sbin/setuser app ./server\n", &sc);
    assert_string_equal(sc.directory, "/srv/app");
    assert_string_equal(sc.user, "app");
    assert_string_equal(sc.argv[0], "./server");
    imp_script_free(&sc);
}

static void shell_syntax_in_the_exec_line_keeps_a_shell(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/bin/sh\nexec 2>&1\nexec nginx -c \"$CONF\" >>/var/log/n.log\n", &sc);
    assert_null(sc.argv);
    assert_non_null(sc.body);
    assert_string_equal(sc.body, "exec nginx -c \"$CONF\" >>/var/log/n.log\n");
    imp_script_free(&sc);
}

static void an_execline_chain_comes_down_to_its_program(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/command/execlineb -P\n# comment\nwith-contenv\ns6-setuidgid daemon\n"
                     "fdmove -c 2 1\ncd /var/lib/x\ns6-notifyoncheck -d -n 300 -w 1000\n"
                     "x-server --port 8080\n",
                     &sc);
    assert_true(sc.execline);
    assert_string_equal(sc.user, "daemon");
    assert_string_equal(sc.directory, "/var/lib/x");
    assert_true(sc.notify_check);
    assert_string_equal(sc.argv[0], "x-server");
    assert_string_equal(sc.argv[2], "8080");
    imp_script_free(&sc);
}

static void an_execline_script_with_blocks_stays_a_script(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse(
        "#!/command/execlineb -P\ns6-setuidgid daemon\nforeground { mkdir -p /run/x }\n"
        "x\n",
        &sc);
    assert_null(sc.argv);
    assert_null(sc.user); /* nothing may be taken out of it */
    assert_int_equal(sc.n_notes, 0);
    imp_script_free(&sc);
}

static void a_with_contenv_shebang_is_a_shell(void **state)
{
    (void)state;
    struct imp_script sc;
    imp_script_parse("#!/command/with-contenv bash\nexec s6-setuidgid nobody api\n", &sc);
    assert_false(sc.execline);
    assert_string_equal(sc.interp, "/bin/bash");
    assert_string_equal(sc.user, "nobody");
    assert_string_equal(sc.argv[0], "api");
    imp_script_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_chpst_becomes_user_group_and_limits),
        cmocka_unit_test(sv_start_lines_become_dependencies),
        cmocka_unit_test(sv_start_without_an_exit_is_left_alone),
        cmocka_unit_test(cd_then_exec_becomes_directory_and_command),
        cmocka_unit_test(shell_syntax_in_the_exec_line_keeps_a_shell),
        cmocka_unit_test(an_execline_chain_comes_down_to_its_program),
        cmocka_unit_test(an_execline_script_with_blocks_stays_a_script),
        cmocka_unit_test(a_with_contenv_shebang_is_a_shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
