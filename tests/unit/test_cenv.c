/* test_cenv.c - the container environment's pure parts: which value wins
 * (corral's own over what the image shipped, a script's over both), and
 * my_init's shell quoting and JSON of what is written out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cenv.h"

static const char *get(const struct cenv_env *e, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->envp[i], key, k) == 0 && e->envp[i][k] == '=')
            return e->envp[i] + k + 1;
    return NULL;
}

static void files_add_variables_and_replace_corral_s_own(void **state)
{
    (void)state;
    char *base[] = {"PATH=/bin", "MODE=base", NULL};
    struct conf_kv vars[] = {{"MODE", "file"}, {"NEW", "1"}};
    struct cenv_env e;
    assert_int_equal(cenv_build(&e, base, vars, 2, NULL, 0), 0);
    assert_int_equal(e.n, 3);
    assert_string_equal(get(&e, "PATH"), "/bin");
    assert_string_equal(get(&e, "MODE"), "file");
    assert_string_equal(get(&e, "NEW"), "1");
    assert_null(e.envp[3]);
    cenv_env_close(&e);
}

static void corral_s_own_wins_over_a_file_unchanged_since_the_start(void **state)
{
    (void)state;
    char *base[] = {"DB=from-docker-run", "OTHER=x", NULL};
    struct conf_kv initial[] = {{"DB", "from-image"}, {"OTHER", "from-image"}};
    struct conf_kv now[] = {{"DB", "from-image"}, {"OTHER", "from-script"}};
    struct cenv_env e;
    assert_int_equal(cenv_build(&e, base, now, 2, initial, 2), 0);
    assert_string_equal(get(&e, "DB"), "from-docker-run");
    assert_string_equal(get(&e, "OTHER"), "from-script");
    assert_int_equal(e.n, 2);
    cenv_env_close(&e);
}

static const char *q(const char *s)
{
    static char buf[256];
    size_t need = cenv_shquote(s, buf, sizeof buf);
    assert_int_equal(need, strlen(buf));
    return buf;
}

static void shell_quoting_follows_my_init(void **state)
{
    (void)state;
    assert_string_equal(q(""), "''");
    assert_string_equal(q("a-b_c/d.e:f,g@h%i+j=k"), "a-b_c/d.e:f,g@h%i+j=k");
    assert_string_equal(q("hello world"), "'hello world'");
    assert_string_equal(q("it's"), "'it'\"'\"'s'");
    assert_string_equal(q("$HOME"), "'$HOME'");
}

static void shell_quoting_says_how_long_when_cut(void **state)
{
    (void)state;
    char small[4];
    assert_int_equal(cenv_shquote("hello world", small, sizeof small), 13);
    assert_string_equal(small, "'he");
    assert_int_equal(cenv_shquote("abc", NULL, 0), 3);
}

static void the_sh_file_exports_all_but_the_personal_variables(void **state)
{
    (void)state;
    char *envp[] = {"HOME=/root", "A=1", "SHELL=/bin/sh", "B=x y", NULL};
    char *sh = cenv_render_sh(envp);
    assert_string_equal(sh, "export A=1\nexport B='x y'\n");
    free(sh);
}

static void the_json_file_holds_every_variable_escaped(void **state)
{
    (void)state;
    char *envp[] = {"HOME=/root", "Q=say \"hi\"\\\n", NULL};
    char *json = cenv_render_json(envp);
    assert_string_equal(json, "{\"HOME\": \"/root\", \"Q\": \"say \\\"hi\\\"\\\\\\u000a\"}\n");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_add_variables_and_replace_corral_s_own),
        cmocka_unit_test(corral_s_own_wins_over_a_file_unchanged_since_the_start),
        cmocka_unit_test(shell_quoting_follows_my_init),
        cmocka_unit_test(shell_quoting_says_how_long_when_cut),
        cmocka_unit_test(the_sh_file_exports_all_but_the_personal_variables),
        cmocka_unit_test(the_json_file_holds_every_variable_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
