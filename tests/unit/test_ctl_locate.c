/* test_ctl_locate.c - which socket corralctl connects to: --socket, then
 * $CORRAL_SOCKET, then corral.yaml's socket:, then the defaults; a missing
 * default corral.yaml is fine, a named one is not, and an invalid default
 * one is noted for the "cannot reach" message. The environment comes through
 * conf_env; each test writes its corral.yaml into its own mkdtemp directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../ctl/locate.c"

struct fixture {
    char dir[64];
    char file[96];
    const char *vars[4][2]; /* name, value */
    struct conf_env env;
};

static const char *fake_lookup(void *arg, const char *name)
{
    struct fixture *f = arg;
    for (int i = 0; i < 4 && f->vars[i][0]; i++)
        if (strcmp(f->vars[i][0], name) == 0)
            return f->vars[i][1];
    return NULL;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_ctl_locate.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->file, sizeof f->file, "%s/corral.yaml", f->dir);
    f->env = (struct conf_env){.arg = f, .lookup = fake_lookup};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->file);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_config(struct fixture *f, const char *text)
{
    FILE *fp = fopen(f->file, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void socket_option_wins_and_the_file_is_not_read(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    f->vars[0][0] = "CORRAL_SOCKET";
    f->vars[0][1] = "/env.sock";
    /* Named explicitly and missing: an error, were it read. */
    assert_int_equal(locate_socket("/opt.sock", f->file, true, &f->env, &l, why, sizeof why), 0);
    assert_string_equal(l.path, "/opt.sock");
    assert_string_equal(l.origin, "--socket");
    locate_close(&l);
}

static void corral_socket_variable_wins_over_the_file(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "socket: /yaml.sock\n");
    f->vars[0][0] = "CORRAL_SOCKET";
    f->vars[0][1] = "/env.sock";
    assert_int_equal(locate_socket(NULL, f->file, false, &f->env, &l, why, sizeof why), 0);
    assert_string_equal(l.path, "/env.sock");
    assert_string_equal(l.origin, "$CORRAL_SOCKET");
    locate_close(&l);
}

static void socket_of_the_file_is_the_only_candidate_without_option_or_variable(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "shutdown_timeout: 5s\nsocket: /srv/corral/c.sock\n");
    /* An empty variable counts as unset, as in sockpath.h. */
    f->vars[0][0] = "CORRAL_SOCKET";
    f->vars[0][1] = "";
    assert_int_equal(locate_socket("", f->file, false, &f->env, &l, why, sizeof why), 0);
    assert_string_equal(l.path, "/srv/corral/c.sock");
    assert_string_equal(l.origin, f->file);
    assert_string_equal(l.note, "");
    locate_close(&l);
}

static void variables_in_the_socket_of_the_file_are_expanded(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "socket: \"${RUN:-/run}/app/c.sock\"\n");
    f->vars[0][0] = "RUN";
    f->vars[0][1] = "/var/run";
    assert_int_equal(locate_socket(NULL, f->file, false, &f->env, &l, why, sizeof why), 0);
    assert_string_equal(l.path, "/var/run/app/c.sock");
    locate_close(&l);
}

static void file_without_socket_leaves_the_default_candidates(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "log_level: debug\n");
    assert_int_equal(locate_socket(NULL, f->file, true, &f->env, &l, why, sizeof why), 0);
    assert_null(l.path);
    assert_null(l.origin);
    assert_string_equal(l.note, "");
    locate_close(&l);
}

static void missing_default_file_is_fine(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    assert_int_equal(locate_socket(NULL, f->file, false, &f->env, &l, why, sizeof why), 0);
    assert_null(l.path);
    assert_string_equal(l.note, "");
    locate_close(&l);
}

static void missing_named_file_is_an_error_naming_it(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";
    char want[160];

    assert_int_equal(locate_socket(NULL, f->file, true, &f->env, &l, why, sizeof why), -EINVAL);
    snprintf(want, sizeof want, "%s: cannot read: No such file or directory", f->file);
    assert_string_equal(why, want);
    assert_null(l.path);
    locate_close(&l);
}

static void invalid_named_file_is_an_error_at_its_place(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "socket: /a.sock\nsockett: /b.sock\nlog_level: loud\n");
    assert_int_equal(locate_socket(NULL, f->file, true, &f->env, &l, why, sizeof why), -EINVAL);
    if (!strstr(why, "corral.yaml:2:1: ") || !strstr(why, "(and 1 more errors)"))
        fail_msg("unexpected reason: %s", why);
    assert_null(l.path);
    locate_close(&l);
}

static void invalid_default_file_is_noted_and_not_used(void **state)
{
    struct fixture *f = *state;
    struct locate l;
    char why[256] = "";

    write_config(f, "socket: [not, a, path]\n");
    assert_int_equal(locate_socket(NULL, f->file, false, &f->env, &l, why, sizeof why), 0);
    assert_null(l.path);
    if (!strstr(l.note, "corral.yaml:1:9: ") || !strstr(l.note, "; its socket: was not used"))
        fail_msg("unexpected note: %s", l.note);
    assert_string_equal(why, "");
    locate_close(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(socket_option_wins_and_the_file_is_not_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(corral_socket_variable_wins_over_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(
            socket_of_the_file_is_the_only_candidate_without_option_or_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(variables_in_the_socket_of_the_file_are_expanded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(file_without_socket_leaves_the_default_candidates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(missing_default_file_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_named_file_is_an_error_naming_it, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_named_file_is_an_error_at_its_place, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(invalid_default_file_is_noted_and_not_used, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
