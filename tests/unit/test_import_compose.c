/* test_import_compose.c - `corral import compose`: a Rails app's compose
 * file with healthchecks and conditions (tests/import/compose), and each
 * mapping on its own: conditions, healthcheck as health and readiness,
 * oneshots, interpolation, merge keys, restart policies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_import_fixture.h"

static void a_rails_compose_file_matches_its_golden_files(void **state)
{
    (void)state;
    struct imp m;
    fx_golden(&m, "compose", "compose", "/srv/app/docker-compose.yaml");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.web.ports", "one container"));
    assert_true(fx_reported(&m, IMP_CHANGED, "services.redis.image", "install what"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "services.web.init", "corral is the init"));
    imp_free(&m);
}

static void service_healthy_becomes_a_readiness_check_and_condition_ready(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  db:\n"
                         "    command: [postgres]\n"
                         "    healthcheck:\n"
                         "      test: [CMD, pg_isready]\n"
                         "      interval: 2s\n"
                         "      timeout: 1s\n"
                         "      retries: 5\n"
                         "      start_period: 4s\n"
                         "      start_interval: 500ms\n"
                         "  app:\n"
                         "    command: app\n"
                         "    depends_on: {db: {condition: service_healthy}}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *db = fx_service(&m, "db"), *app = fx_service(&m, "app");
    /* 4s + 5 * (2s + 1s) + 2s: as long as compose would take to call it
     * unhealthy. */
    assert_contains(db, "readiness: {exec: [\"pg_isready\"], interval: 500ms, timeout: 21s}");
    assert_contains(db, "  exec: [\"pg_isready\"]\n  interval: 2s\n  timeout: 1s\n");
    assert_lacks(db, "start_interval");
    assert_contains(app, "db: {condition: ready}");
    free(db);
    free(app);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_dependency_that_must_complete_becomes_a_oneshot(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  migrate: {command: migrate, restart: always}\n"
                         "  web:\n"
                         "    command: web\n"
                         "    restart: unless-stopped\n"
                         "    depends_on:\n"
                         "      migrate: {condition: service_completed_successfully}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *mig = fx_service(&m, "migrate"), *web = fx_service(&m, "web");
    assert_contains(mig, "type: oneshot");
    assert_contains(mig, "restart: on-failure"); /* a oneshot may not restart always */
    assert_contains(web, "migrate: {condition: completed}");
    assert_contains(web, "restart: always");
    free(mig);
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

static void interpolation_becomes_corrals(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: [\"echo\", \"$HOME\", \"${A-x}\", \"${B:?no B}\", \"$$C\","
                         " \"$${D}\", \"${E:+y}\"]\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "[\"echo\", \"${HOME}\", \"${A:-x}\", \"${B:?no B}\", \"$C\", \"$${D}\", "
                       "\"$${E:+y}\"]");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "command", "${VAR:+value}"));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void merge_keys_and_the_default_restart_policy(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "x-base: &base\n"
                         "  user: \"33:33\"\n"
                         "  working_dir: /srv\n"
                         "  stop_grace_period: 1m30s\n"
                         "services:\n"
                         "  a:\n"
                         "    <<: *base\n"
                         "    working_dir: /app\n"
                         "    command: a\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "directory: /app");
    assert_contains(a, "user: \"33\"\ngroup: \"33\"");
    assert_contains(a, "stop_timeout: 1m30s");
    assert_contains(a, "restart: never  # compose's default");
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

static void a_service_without_a_command_is_left_out_and_said(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  db: {image: postgres}\n"
                         "  web: {command: web, depends_on: [db, cache]}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    assert_null(imp_find(&m, "db"));
    char *web = fx_service(&m, "web");
    assert_lacks(web, "depends_on");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "db", "the image's CMD is not known"));
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "services.web.depends_on.db", "that service is left out");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:3");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.web.depends_on.cache",
                            "no service of that name in this file"));
    free(web);
    imp_free(&m);
    fx_rmtree(root);
}

/* What compose allows and corral's loader would refuse is reported, never
 * written into a file `corral --check` then rejects: a variable named ""
 * (`- =x`, which was written as an empty key, invalid YAML) or "A.B", and
 * more replicas than CONF_INSTANCES_MAX; scale 0 is a service not started. */
static void names_and_counts_corral_would_refuse_are_reported_not_written(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: a\n"
                         "    environment: [K=v, =bad, A.B=1]\n"
                         "    deploy: {replicas: 500}\n"
                         "  b:\n"
                         "    command: b\n"
                         "    environment: {\"\": x, A-B: y, OK: z}\n"
                         "    scale: 0\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b");
    assert_contains(a, "environment: {K: v}\n");
    assert_contains(a, "instances: 100  # deploy.replicas: 500\n");
    assert_contains(b, "environment: {OK: z}\n");
    assert_contains(b, "autostart: false  # scale: 0\n");
    assert_lacks(b, "instances");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "environment", "\"\" is not a variable name"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "environment", "\"A.B\" is not a variable name"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "environment", "\"A-B\" is not a variable name"));
    assert_true(fx_reported(&m, IMP_CHANGED, "deploy.replicas", "at most 100 instances"));
    free(a);
    free(b);
    imp_free(&m);
    fx_rmtree(root);
}

/* One replica is one copy named after the service: instances: 1 would name
 * it NAME.1, which may be another service's name. */
static void one_replica_is_one_service_of_the_same_name(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  db:\n"
                         "    command: db\n"
                         "    deploy: {replicas: 1}\n"
                         "  db.1:\n"
                         "    command: other\n"
                         "    scale: 007\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *db = fx_service(&m, "db"), *other = fx_service(&m, "db.1");
    assert_lacks(db, "instances");
    assert_contains(other, "instances: 7  # scale\n");
    assert_true(fx_reported(&m, IMP_UNNEEDED, "deploy.replicas", "one copy, named db"));
    free(db);
    free(other);
    imp_free(&m);
    fx_rmtree(root);
}

/* What compose means by -1, 0 and a relative path, written as corral takes
 * it: -1 is unlimited, a zero duration or retries is Docker's default, and
 * a relative working_dir (Docker refuses one) is reported, not written. */
static void unlimited_zero_durations_and_relative_paths_become_what_corral_takes(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: a\n"
                         "    working_dir: app/src\n"
                         "    ulimits: {nproc: -1, nofile: {soft: 1024, hard: -1}}\n"
                         "    healthcheck:\n"
                         "      test: [CMD, probe]\n"
                         "      interval: 0s\n"
                         "      timeout: 0s\n"
                         "      start_period: 0s\n"
                         "      start_interval: 0s\n"
                         "      retries: 0\n"
                         "  b:\n"
                         "    command: b\n"
                         "    working_dir: ${APP_DIR}\n"
                         "    ulimits: {}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b");
    assert_lacks(a, "directory");
    assert_contains(b, "directory: \"${APP_DIR}\"\n");
    assert_lacks(b, "rlimits"); /* none, not rlimits: {} */
    assert_contains(a, "  nproc: unlimited  # -1\n  nofile:\n    soft: 1024\n"
                       "    hard: unlimited  # -1\n");
    assert_contains(a, "interval: 30s, timeout: 30s, retries: 3}");
    assert_lacks(a, "start_period");
    assert_lacks(a, "start_interval");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "working_dir", "\"app/src\" is relative"));
    assert_true(fx_reported(&m, IMP_CHANGED, "timeout", "0 is Docker's default: 30s"));
    assert_true(fx_reported(&m, IMP_CHANGED, "retries", "0: Docker's default, 3"));
    for (const struct imp_item *it = m.items; it; it = it->next)
        assert_null(strstr(it->why, "corral refuses it"));
    free(a);
    free(b);
    imp_free(&m);
    fx_rmtree(root);
}

/* compose's [] and "" override the image's command or entrypoint with
 * nothing: each way a service is left with nothing corral can run is
 * reported by the mapper with its own reason, where the last check would
 * only say that corral refuses an empty command. An empty entrypoint
 * before a command is no entrypoint. */
static void empty_commands_and_entrypoints_are_left_out_each_with_its_reason(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a: {command: []}\n"
                         "  b: {command: \"\"}\n"
                         "  c: {entrypoint: [], command: \"\"}\n"
                         "  d: {entrypoint: \"\"}\n"
                         "  e: {command: [\"\", x]}\n"
                         "  f: {entrypoint: [\"\"], command: [x]}\n"
                         "  g: {entrypoint: [], command: [run, it]}\n"
                         "  h: {command: \"'unclosed\"}\n"
                         "  i: {command: ~}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    const char *gone[] = {"a", "b", "c", "d", "e", "f", "h", "i"};
    for (size_t k = 0; k < sizeof gone / sizeof *gone; k++)
        assert_null(imp_find(&m, gone[k]));
    char *g = fx_service(&m, "g");
    assert_contains(g, "command: [\"run\", \"it\"]");
    free(g);
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "a", "an empty command and no entrypoint");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:2");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "b", "image's ENTRYPOINT would run alone"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "c", "entrypoint and command are both empty"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "d", "an empty entrypoint and no command"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "e", "is an empty string"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "f", "is an empty string"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "h", "a quote is not closed"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "i", "the image's CMD is not known"));
    assert_false(fx_check_took_out(&m));
    imp_free(&m);
    fx_rmtree(root);
}

/* A stop_signal corral does not know (signame.c), or one made of a
 * variable (corral reads stop_signal as written), is left out by the
 * mapper: TERM is sent, as Docker sends by default. */
static void a_stop_signal_corral_does_not_know_is_left_out(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a: {command: a, stop_signal: SIGFOO}\n"
                         "  b: {command: b, stop_signal: \"${STOP}\"}\n"
                         "  c: {command: c, stop_signal: 99}\n"
                         "  d: {command: d, stop_signal: SIGRTMIN+2}\n"
                         "  e: {command: e, stop_signal: 10}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e");
    assert_lacks(a, "stop_signal");
    assert_lacks(b, "stop_signal");
    assert_lacks(c, "stop_signal");
    assert_contains(d, "stop_signal: SIGRTMIN+2");
    assert_contains(e, "stop_signal: \"10\"");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "services.a.stop_signal",
                                        "\"SIGFOO\" is not a signal corral knows");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:2");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.b.stop_signal", "without variables"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.c.stop_signal", "\"99\" is not a signal"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

/* Docker refuses a service with a limit it does not take (a name it does
 * not know, a soft limit above the hard one, -1 counting as unlimited, a
 * value that is not a number, or a list or a map where a number goes): the
 * service never ran, so it is left out, each limit reported, rather than
 * run without the limit. What depends on it loses the dependency. */
static void a_service_with_a_ulimit_docker_refuses_is_left_out(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: a\n"
                         "    ulimits:\n"
                         "      nproc: 512\n"
                         "      nofile: {soft: 2048, hard: 1024}\n"
                         "  b:\n"
                         "    command: b\n"
                         "    ulimits: {core: {soft: -1, hard: 0}}\n"
                         "  c:\n"
                         "    command: c\n"
                         "    ulimits: {bogus: 1}\n"
                         "  d:\n"
                         "    command: d\n"
                         "    ulimits: {as: 5}\n"
                         "  e:\n"
                         "    command: e\n"
                         "    ulimits: {core: x}\n"
                         "  f:\n"
                         "    command: f\n"
                         "    ulimits: {nproc: [1, 2]}\n"
                         "  g:\n"
                         "    command: g\n"
                         "    ulimits: {nofile: {soft: [1], hard: 5}}\n"
                         "  h:\n"
                         "    command: h\n"
                         "    ulimits: {nofile: {soft: 1, hard: {x: 1}}}\n"
                         "  i:\n"
                         "    command: i\n"
                         "    ulimits: [nofile]\n"
                         "  j:\n"
                         "    command: j\n"
                         "    depends_on: [a]\n"
                         "    ulimits:\n"
                         "      memlock: {soft: 64, hard: -1}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    for (const char *n = "abcdefghi"; *n; n++) {
        char name[2] = {*n, 0};
        assert_null(imp_find(&m, name));
    }
    char *j = fx_service(&m, "j");
    assert_contains(j, "rlimits:\n  memlock:\n    soft: 64\n    hard: unlimited  # -1\n");
    assert_lacks(j, "depends_on");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "services.a.ulimits.nofile",
                                        "soft (2048) is more than hard (1024)");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:6");
    assert_non_null(strstr(it->why, "Docker refuses the service"));
    assert_non_null(strstr(it->why, "the service is left out"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.b.ulimits.core",
                            "soft (-1) is more than hard (0)"));
    assert_true(
        fx_reported(&m, IMP_UNMAPPED, "services.c.ulimits.bogus", "not a limit Docker takes"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.d.ulimits.as", "not a limit Docker takes"));
    assert_true(
        fx_reported(&m, IMP_UNMAPPED, "services.e.ulimits.core", "\"x\": expected a whole number"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.f.ulimits.nproc", "got a list"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.g.ulimits.nofile.soft", "a list or a map"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.h.ulimits.nofile.hard", "a list or a map"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.i.ulimits", "expected a map of limits"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "a", "left out"));
    assert_false(fx_check_took_out(&m));
    free(j);
    imp_free(&m);
    fx_rmtree(root);
}

/* A limit given as a map needs soft and hard and takes no other key (the
 * compose file schema: required, additionalProperties false): compose
 * refuses the file otherwise, so the service never ran and is left out. */
static void a_ulimit_map_needs_soft_and_hard_alone(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a: {command: a, ulimits: {nofile: {}}}\n"
                         "  b: {command: b, ulimits: {nofile: {soft: 10}}}\n"
                         "  c: {command: c, ulimits: {nofile: {hard: 10}}}\n"
                         "  d: {command: d, ulimits: {nofile: {soft: 10, hard: 20, extra: 5}}}\n"
                         "  e: {command: e, ulimits: {nofile: {soft: 10, hard: 20}}}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    for (const char *n = "abcd"; *n; n++) {
        char name[2] = {*n, 0};
        assert_null(imp_find(&m, name));
    }
    assert_true(
        fx_reported(&m, IMP_UNMAPPED, "services.a.ulimits.nofile", "without soft and hard"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.b.ulimits.nofile", "no hard"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.c.ulimits.nofile", "no soft"));
    assert_true(
        fx_reported(&m, IMP_UNMAPPED, "services.d.ulimits.nofile.extra", "not soft or hard"));
    char *e = fx_service(&m, "e");
    assert_contains(e, "rlimits: {nofile: {soft: 10, hard: 20}}");
    assert_false(fx_check_took_out(&m));
    free(e);
    imp_free(&m);
    fx_rmtree(root);
}

/* service_healthy on a service with no health check corral can run (none
 * in the file: the image's HEALTHCHECK is not known here; or one that is
 * disabled) becomes condition ready, reported at the entry: corral's
 * healthy needs a health check, and the last check would have taken the
 * dependency out. */
static void service_healthy_without_a_healthcheck_becomes_condition_ready(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  app:\n"
                         "    command: app\n"
                         "    depends_on:\n"
                         "      db: {condition: service_healthy}\n"
                         "      off: {condition: service_healthy}\n"
                         "  db: {command: db}\n"
                         "  off: {command: off, healthcheck: {disable: true}}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *app = fx_service(&m, "app"), *db = fx_service(&m, "db");
    assert_contains(app, "  db: {condition: ready}  # compose: service_healthy (db has no health "
                         "check here)\n  off: {condition: ready}");
    assert_lacks(db, "readiness");
    const struct imp_item *it = fx_item(&m, IMP_CHANGED, "services.app.depends_on.db",
                                        "db has no healthcheck in this file");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:5");
    assert_contains(it->why, "condition ready instead");
    assert_true(fx_reported(&m, IMP_CHANGED, "services.app.depends_on.off",
                            "off has no health check corral runs"));
    assert_false(fx_check_took_out(&m));
    free(app);
    free(db);
    imp_free(&m);
    fx_rmtree(root);
}

/* compose refuses a dependency cycle, a service that depends on itself
 * too: the mapper leaves out the dependency that closes each cycle, in the
 * order of the file, and names the cycle at the entry. A dependency left
 * out that way asks nothing of its target: a is not made a oneshot for a
 * service_completed_successfully that is gone. */
static void a_dependency_cycle_loses_the_dependency_that_closes_it(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a: {command: a, depends_on: [b]}\n"
                         "  b:\n"
                         "    command: b\n"
                         "    depends_on:\n"
                         "      c: {condition: service_started}\n"
                         "      a: {condition: service_completed_successfully}\n"
                         "  c: {command: c, depends_on: [a]}\n"
                         "  s: {command: s, depends_on: [s, a]}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *sv = fx_service(&m, "s");
    assert_contains(a, "depends_on:\n  b: {condition: started}");
    assert_lacks(a, "oneshot");
    assert_contains(b,
                    "depends_on:\n  c: {condition: started}  # compose: service_started\nrestart");
    assert_lacks(c, "depends_on");
    assert_contains(sv,
                    "depends_on:\n  a: {condition: started}  # compose: service_started\nrestart");
    const struct imp_item *it = fx_item(&m, IMP_UNMAPPED, "services.c.depends_on.a",
                                        "a dependency cycle (a -> b -> c -> a)");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:8");
    assert_contains(it->why, "so c no longer waits for a");
    it = fx_item(&m, IMP_UNMAPPED, "services.b.depends_on.a", "a dependency cycle (a -> b -> a)");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:7");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.s.depends_on.s", "s depends on itself"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(sv);
    imp_free(&m);
    fx_rmtree(root);
}

/* user: with an empty part is read as Docker reads it: an empty user is
 * uid 0 (root, not the image's USER), an empty group the user's primary
 * group, a third field is not read; an empty user: is compose's "not
 * set". None of them is written empty, which corral would refuse and the
 * last check take out. */
static void a_user_with_an_empty_part_is_read_as_docker_reads_it(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a: {command: a, user: \":\"}\n"
                         "  b: {command: b, user: \"x:\"}\n"
                         "  c: {command: c, user: \":g\"}\n"
                         "  d: {command: d, user: \"\"}\n"
                         "  e: {command: e, user: \"u:g:h\"}\n"
                         "  f: {command: f, user: \"1000:1000\"}\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b"), *c = fx_service(&m, "c");
    char *d = fx_service(&m, "d"), *e = fx_service(&m, "e"), *f = fx_service(&m, "f");
    assert_contains(a, "user: \"0\"  # user: \":\": an empty user is uid 0\n");
    assert_lacks(a, "group:");
    assert_contains(b, "user: x\n");
    assert_lacks(b, "group:");
    assert_contains(c, "user: \"0\"  # user: \":g\": an empty user is uid 0\ngroup: g");
    assert_lacks(d, "user:");
    assert_contains(e, "user: u\ngroup: g  # user: \"u:g:h\"\n");
    assert_contains(f, "user: \"1000\"\ngroup: \"1000\"");
    const struct imp_item *it =
        fx_item(&m, IMP_CHANGED, "services.a.user", "Docker runs an empty user as uid 0");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:2");
    assert_true(fx_reported(&m, IMP_CHANGED, "services.c.user", "as uid 0 (root)"));
    assert_true(fx_reported(&m, IMP_UNNEEDED, "services.b.user", "the user's primary group"));
    assert_true(fx_reported(&m, IMP_CHANGED, "services.d.user", "compose's \"not set\""));
    assert_true(fx_reported(&m, IMP_CHANGED, "services.e.user", "ignores what follows (\":h\")"));
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    free(f);
    imp_free(&m);
    fx_rmtree(root);
}

/* Docker reads a limit as a signed 64-bit number and refuses one above
 * 2^63-1, which corral would take (it goes to 2^64-2): the service, which
 * never ran, is left out; leading zeros do not count. */
static void a_ulimit_above_2_63_leaves_the_service_out(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: a\n"
                         "    ulimits:\n"
                         "      nofile: 9223372036854775808\n"
                         "  b:\n"
                         "    command: b\n"
                         "    ulimits: {nproc: {soft: 1024, hard: 9999999999999999999}}\n"
                         "  c:\n"
                         "    command: c\n"
                         "    ulimits: {core: 18446744073709551615}\n"
                         "  d:\n"
                         "    command: d\n"
                         "    ulimits:\n"
                         "      cpu: 9223372036854775807\n"
                         "      locks: 0009223372036854775807\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    assert_null(imp_find(&m, "a"));
    assert_null(imp_find(&m, "b"));
    assert_null(imp_find(&m, "c"));
    char *d = fx_service(&m, "d");
    assert_contains(d, "rlimits: {cpu: 9223372036854775807, locks: 9223372036854775807}\n");
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "services.a.ulimits.nofile", "above 9223372036854775807");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:5");
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.b.ulimits.nproc.hard",
                            "\"9999999999999999999\": above"));
    assert_true(fx_reported(&m, IMP_UNMAPPED, "services.c.ulimits.core", "Docker reads a limit"));
    assert_false(fx_check_took_out(&m));
    free(d);
    imp_free(&m);
    fx_rmtree(root);
}

/* A size limit of more bytes than corral reads as a size (about 16 PiB,
 * units_parse_size) and up to 2^63-1, which Docker takes, limits nothing a
 * machine holds: it is written unlimited, reported, where the last check
 * would refuse rlimits: and leave the service out. */
static void a_size_ulimit_past_corrals_sizes_is_written_unlimited(void **state)
{
    (void)state;
    char *root = fx_tree("/c.yaml",
                         "services:\n"
                         "  a:\n"
                         "    command: a\n"
                         "    ulimits:\n"
                         "      stack: 9223372036854775807\n"
                         "      fsize: {soft: 1048576, hard: 100000000000000000}\n"
                         "      core: 1000000000000000\n"
                         "      nofile: 100000000000000000\n",
                         NULL);
    struct imp m;
    fx_import(&m, "compose", "/c.yaml", root);
    char *a = fx_service(&m, "a");
    assert_contains(a, "  stack: unlimited  # 9223372036854775807\n"
                       "  fsize:\n    soft: 1048576\n    hard: unlimited  # 100000000000000000\n"
                       "  core: 1000000000000000\n  nofile: 100000000000000000\n");
    const struct imp_item *it =
        fx_item(&m, IMP_CHANGED, "services.a.ulimits.stack", "more than corral reads as a size");
    assert_non_null(it);
    assert_string_equal(it->where, "/c.yaml:5");
    assert_true(fx_reported(&m, IMP_CHANGED, "services.a.ulimits.fsize.hard", "written unlimited"));
    assert_false(fx_check_took_out(&m));
    free(a);
    imp_free(&m);
    fx_rmtree(root);
}

/* An env_file's variable named as corral does not take is left out of the
 * copy into environment:, and reported once with its line. */
static void an_env_file_variable_corral_does_not_take_is_left_out(void **state)
{
    (void)state;
    char *root = fx_tree("/srv/c.yaml",
                         "services:\n"
                         "  a: {command: a, env_file: .env}\n"
                         "  b: {command: b, env_file: [.env]}\n",
                         "/srv/.env", "A.B=1\nOK=2\n", NULL);
    struct imp m;
    fx_import(&m, "compose", "/srv/c.yaml", root);
    char *a = fx_service(&m, "a"), *b = fx_service(&m, "b");
    assert_contains(a, "environment:\n  OK: \"2\"  # /srv/.env:2\n");
    assert_contains(b, "environment:\n  OK: \"2\"  # /srv/.env:2\n");
    const struct imp_item *it =
        fx_item(&m, IMP_UNMAPPED, "A.B", "not a variable name corral takes");
    assert_non_null(it);
    assert_string_equal(it->where, "/srv/.env:1");
    size_t n = 0;
    for (const struct imp_item *i = m.items; i; i = i->next)
        n += strcmp(i->what, "A.B") == 0;
    assert_int_equal(n, 1); /* once for the file, not once per service */
    assert_false(fx_check_took_out(&m));
    free(a);
    free(b);
    imp_free(&m);
    fx_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_rails_compose_file_matches_its_golden_files),
        cmocka_unit_test(service_healthy_becomes_a_readiness_check_and_condition_ready),
        cmocka_unit_test(a_dependency_that_must_complete_becomes_a_oneshot),
        cmocka_unit_test(interpolation_becomes_corrals),
        cmocka_unit_test(merge_keys_and_the_default_restart_policy),
        cmocka_unit_test(a_service_without_a_command_is_left_out_and_said),
        cmocka_unit_test(names_and_counts_corral_would_refuse_are_reported_not_written),
        cmocka_unit_test(one_replica_is_one_service_of_the_same_name),
        cmocka_unit_test(unlimited_zero_durations_and_relative_paths_become_what_corral_takes),
        cmocka_unit_test(empty_commands_and_entrypoints_are_left_out_each_with_its_reason),
        cmocka_unit_test(a_stop_signal_corral_does_not_know_is_left_out),
        cmocka_unit_test(a_service_with_a_ulimit_docker_refuses_is_left_out),
        cmocka_unit_test(a_ulimit_map_needs_soft_and_hard_alone),
        cmocka_unit_test(an_env_file_variable_corral_does_not_take_is_left_out),
        cmocka_unit_test(a_user_with_an_empty_part_is_read_as_docker_reads_it),
        cmocka_unit_test(a_dependency_cycle_loses_the_dependency_that_closes_it),
        cmocka_unit_test(service_healthy_without_a_healthcheck_becomes_condition_ready),
        cmocka_unit_test(a_ulimit_above_2_63_leaves_the_service_out),
        cmocka_unit_test(a_size_ulimit_past_corrals_sizes_is_written_unlimited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
