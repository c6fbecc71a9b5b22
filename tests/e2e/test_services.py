"""Services from a directory: dependency order, restarts with backoff up to
the start limit, oneshots, main and critical services, ordered shutdown,
whole-tree stops, the per-service process settings, and configuration
errors that refuse the start."""

import os
import re
import resource
import signal
import subprocess
import time

import harness
import svc
from ctl import ctl, status, wait_ready
from svc import stamp


class Services(svc.ServiceTest):
    def test_dependencies_start_in_order_and_independent_ones_in_parallel(self):
        # a and b are independent; c needs a completed (a oneshot that runs
        # until the test opens its gate), d needs c running.
        gate = self.path("gate")
        self.service("a", f'type: oneshot\ncommand: "{stamp(self.path("a"))}; '
                          f'while [ ! -e {gate} ]; do sleep 0.05; done"\n')
        self.service("b", f'command: "{stamp(self.path("b"))}; exec sleep 1000"\n')
        self.service("c", f'command: "{stamp(self.path("c"))}; exec sleep 1000"\n'
                          'depends_on: {a: {condition: completed}}\n')
        self.service("d", f'command: "{stamp(self.path("d"))}; exec sleep 1000"\n'
                          'depends_on: [c]\n')
        c = self.run_services()
        # Independent services start together: b while a still runs.
        for n in "ab":
            harness.wait_for(lambda: self.stamps(n), 10, what=f"{n} to start")
        time.sleep(0.3)
        self.assertEqual((self.stamps("c"), self.stamps("d")), ([], []), "a has not completed")
        opened = svc.now()
        open(gate, "w").close()
        for n in "cd":
            harness.wait_for(lambda: self.stamps(n), 10, what=f"{n} to start")
        # c is ready as soon as it runs, so d only has to start after c was
        # spawned, which is after a completed.
        self.assertGreaterEqual(self.stamps("c")[0], opened, "c waits for a to complete")
        self.assertGreaterEqual(self.stamps("d")[0], opened)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_crash_loop_restarts_with_growing_delays_then_goes_fatal(self):
        self.service("crash", f'command: "{stamp(self.path("starts"))}; exit 1"\n'
                              'backoff: {initial: 50ms, factor: 2, max: 10s}\n'
                              'start_limit: {burst: 7, interval: 60s}\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: "crash: fatal" in c.stderr(), 10, what="fatal")
        self.assertEqual(len(self.stamps("starts")), 7)
        # What corral decided, not how long a loaded machine took: the first
        # restart at once, then each delay twice the last.
        self.assertIn("crash: starting (exited 1, restarted at once)", c.stderr())
        delays = re.findall(r"crash: backoff \(exited 1, restart in (\S+)\)", c.stderr())
        self.assertEqual(delays, ["50ms", "100ms", "200ms", "400ms", "800ms", "1.600s"])
        self.assertIn("start limit: 7 starts within 1m, last exited 1", c.stderr())
        time.sleep(0.5)
        self.assertEqual(len(self.stamps("starts")), 7, "no start after fatal")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_burst_of_hundreds_counts_every_start(self):
        # A burst far above what a fixed history of start times could hold:
        # every start within the interval counts, and the one past it is fatal.
        self.service("crash", f'command: "{stamp(self.path("starts"))}; exit 1"\n'
                              'backoff: {initial: 1ms, factor: 1, max: 1ms}\n'
                              'start_limit: {burst: 150, interval: 10m}\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: "crash: fatal" in c.stderr(), 60, what="fatal")
        self.assertIn("start limit: 150 starts within 10m, last exited 1", c.stderr())
        self.assertEqual(len(self.stamps("starts")), 150)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_defaults_keep_a_crash_loop_under_20_starts_in_10s(self):
        self.service("crash", f'command: "{stamp(self.path("starts"))}; exit 1"\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        time.sleep(10)
        n = len(self.stamps("starts"))
        self.assertLessEqual(n, 20)
        self.assertGreaterEqual(n, 3)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_main_exit_ends_the_container_with_its_code(self):
        self.service("side", "command: [sleep, '1000']\n")
        c = self.run_services(main=["sh", "-c", "sleep 0.3; exit 7"])
        self.assertEqual(c.wait(), 7)
        self.assertIn("exiting 7: main exited 7", c.stderr())

    def test_a_critical_failure_ends_the_container_non_zero(self):
        self.service("db", "critical: true\ntype: oneshot\ncommand: 'exit 5'\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 5)
        self.assertIn("critical service db is failed", c.stderr())

    def test_a_directory_of_oneshots_exits_when_all_are_done(self):
        self.service("one", "type: oneshot\ncommand: 'true'\n")
        self.service("two", "type: oneshot\ncommand: 'exit 0'\ndepends_on: {one: {condition: completed}}\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 0)
        self.assertIn("every service has finished", c.stderr())

    def test_a_failed_oneshot_gives_its_exit_code(self):
        self.service("one", "type: oneshot\ncommand: 'exit 9'\n")
        self.service("two", "type: oneshot\ncommand: 'true'\ndepends_on: {one: {condition: completed}}\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 9)
        self.assertRegex(c.stderr(), r"two: waiting \(dependency one is failed")

    def test_services_failing_to_start_at_once_each_say_why_before_their_exit(self):
        # Every child reports a failed exec or chdir on one pipe they share:
        # 300 failing together (more than a default 64 KiB pipe holds) must
        # give 300 whole sentences, each under its own service's name, each
        # before that service's exit line.
        # (A relative path: load cannot check it, so the exec fails at run time.)
        names = ["bad%d" % i for i in range(300)]
        for n in names:
            self.service(n, f"type: oneshot\ncommand: ['./nonexistent/{n}']\n")
        self.service("nodir", "type: oneshot\ncommand: 'true'\ndirectory: /nonexistent/dir\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 127)
        err = c.stderr()
        for n in names:
            why = f"corral: {n}: exec ./nonexistent/{n}: No such file or directory\n"
            self.assertEqual(err.count(why), 1, err)
            exit_line = re.search(rf"corral: {n}: failed \(exited 127\)", err)
            self.assertIsNotNone(exit_line, err)
            self.assertLess(err.index(why), exit_line.start(), err)
        self.assertIn("corral: nodir: chdir /nonexistent/dir: No such file or directory\n", err)

    def test_docker_stop_lets_three_slow_services_finish_cleanly(self):
        # Each takes a second to finish, and only once all three have their
        # SIGTERM: stopped one after the other instead of together, the
        # first would wait for ever and be killed at its stop_timeout.
        terms = " && ".join(f"[ -e {self.path(n + '.term')} ]" for n in ("a", "b", "c"))
        for n in ("a", "b", "c"):
            self.service(n, f"command: \"trap 'touch {self.path(n + '.term')}; "
                            f"until {terms}; do sleep 0.05; done; sleep 1; "
                            f"echo done > {self.path(n)}; exit 0' TERM; "
                            f"echo up > {self.path(n + '.up')}; while :; do sleep 0.1; done\"\n")
        c = self.run_services()
        for n in ("a", "b", "c"):
            self.wait_file(n + ".up")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        for n in ("a", "b", "c"):
            self.assertEqual(harness.read(self.path(n)).strip(), "done")
        self.assertNotIn("did not exit in time", c.stderr())

    def test_a_service_ignoring_sigterm_is_killed_after_its_stop_timeout(self):
        self.service("stubborn", f"stop_timeout: 2s\ncommand: \"trap '' TERM; echo up > "
                                 f"{self.path('up')}; while :; do sleep 0.1; done\"\n")
        c = self.run_services()
        self.wait_file("up")
        t0 = time.monotonic()
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        # Killed no sooner than its stop_timeout, for that timeout (the 7 s
        # default would say so).
        self.assertGreaterEqual(time.monotonic() - t0, 2.0)
        self.assertIn("stubborn: stopping (stop timeout (2s): killed)", c.stderr())
        self.assertIn("stubborn did not exit in time", c.stderr())

    def test_stop_goes_in_reverse_dependency_order(self):
        # web depends on db; web takes 0.5 s to stop; db records when it is told.
        self.service("db", f"command: \"trap '{stamp(self.path('db.term'))}; exit 0' TERM; "
                           f"echo up > {self.path('db.up')}; while :; do sleep 0.05; done\"\n")
        self.service("web", f"depends_on: [db]\ncommand: \"trap 'sleep 0.5; "
                            f"{stamp(self.path('web.done'))}; exit 0' TERM; echo up > "
                            f"{self.path('web.up')}; while :; do sleep 0.05; done\"\n")
        c = self.run_services()
        self.wait_file("web.up")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertLess(self.stamps("web.done")[0], self.stamps("db.term")[0])

    def test_stopping_a_service_leaves_no_process_of_its_tree(self):
        # tree leaves its process group with a setsid'd shell that says
        # when it gets SIGTERM; marker, stopped at the same time, finishes
        # only once it has. Signalled by tree's stop, the shell says so at
        # once; left to the sweep after every service has stopped, it would
        # keep marker waiting until marker's stop_timeout.
        got = self.path("away.term")
        tree = self.script("tree.sh", "sleep 1000 &\n"
                                      "setsid sh -c 'trap \"touch $1; exit 0\" TERM; touch $1.ready; "
                                      "while :; do sleep 0.1; done' away \"$1\" &\n"
                                      "wait\n")
        self.service("tree", f"command: [sh, {tree}, {got}]\n")
        self.service("marker", f"command: \"trap 'until [ -e {got} ]; do sleep 0.05; done; "
                               f"exit 0' TERM; touch {self.path('marker')}; "
                               "while :; do sleep 0.1; done\"\n")
        c = self.run_services(args=["--grace", "30s"])
        self.wait_file("away.term.ready")
        self.wait_file("marker")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertTrue(os.path.exists(got))
        self.assertNotIn("did not exit in time", c.stderr())
        self.assertNotIn("still running after the grace period", c.stderr())

    def test_user_group_directory_environment_and_umask_are_applied(self):
        work = self.path("work")
        os.mkdir(work)
        os.chmod(work, 0o777)
        os.chmod(self.tmp, 0o755)
        env_file = self.path("app.env")
        with open(env_file, "w") as f:
            f.write("# comment\nFROM_FILE=yes\nOVERRIDDEN=file\n")
        self.service("probe", f"""type: oneshot
user: nobody
group: nogroup
directory: {work}
umask: "0077"
env_file: {env_file}
environment: {{GREETING: "hello ${{CORRAL_TEST_VAR:-unset}}", OVERRIDDEN: env}}
command: "id -u > out; id -g >> out; pwd >> out; umask >> out; echo $GREETING >> out; echo $FROM_FILE $OVERRIDDEN $CORRAL_SERVICE >> out; touch created"
""")
        c = self.run_services(env={"CORRAL_TEST_VAR": "world"})
        self.assertEqual(c.wait(), 0)
        out = harness.read(os.path.join(work, "out")).splitlines()
        import pwd, grp
        self.assertEqual(out[0], str(pwd.getpwnam("nobody").pw_uid))
        self.assertEqual(out[1], str(grp.getgrnam("nogroup").gr_gid))
        self.assertEqual(out[2], work)
        self.assertEqual(out[3], "0077")
        self.assertEqual(out[4], "hello world")
        self.assertEqual(out[5], "yes env probe")
        st = os.stat(os.path.join(work, "created"))
        self.assertEqual(st.st_mode & 0o777, 0o600)
        self.assertEqual(st.st_uid, pwd.getpwnam("nobody").pw_uid)

    def test_a_group_alone_keeps_the_user_and_rlimits_apply(self):
        self.service("grouponly", f"type: oneshot\ngroup: nogroup\nrlimits: {{nofile: 321}}\n"
                                  f"command: 'id -u > {self.path('ids')}; id -g >> {self.path('ids')}; "
                                  f"ulimit -n >> {self.path('ids')}'\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 0, c.stderr())
        import grp
        out = harness.read(self.path("ids")).split()
        self.assertEqual(out, ["0", str(grp.getgrnam("nogroup").gr_gid), "321"])

    def test_a_start_that_calls_off_a_queued_restart_lets_what_it_depends_on_restart(self):
        # restart a b c (c depends on b, b on a): b's stop waits for c, a's
        # for b. c takes its time to stop; a start of b meanwhile calls b's
        # restart off, and a's restart no longer waits for b: a restarts
        # while c still stops, b keeps its process.
        ended = self.path("c-ended")
        self.service("a", "command: [sleep, '1000']\n")
        self.service("b", "command: [sleep, '1000']\ndepends_on: [a]\n")
        self.service("c", f"command: \"trap 'sleep 5; touch {ended}; exit 0' TERM; "
                          "echo armed; sleep 1000 & wait\"\ndepends_on: [b]\nstop_timeout: 20s\n")
        c = self.run_services()
        wait_ready(self)
        self.wait_said(c, "c", "armed")  # up is spawned: TERM before the trap would end it
        st = harness.wait_for(lambda: all(s["state"] == "up" for s in status(self)[0].values())
                              and status(self)[0], 10, what="a, b and c up")
        self.assertEqual(ctl(self, "restart", "a", "b", "c").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["c"]["state"] == "stopping", 10,
                         what="c stopping")
        self.assertEqual(ctl(self, "start", "b").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["a"].get("pid") not in (None, st["a"]["pid"])
                         and status(self)[0]["a"]["state"] == "up", 10, what="a restarted")
        self.assertFalse(os.path.exists(ended), "a waited for c's stop")
        self.assertEqual(status(self)[0]["b"]["pid"], st["b"]["pid"])
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(30), 0)

    def test_a_low_soft_limit_on_open_files_does_not_cap_how_many_services_run(self):
        # Containers are often given 1024 open files under a far higher hard
        # limit; corral holds two fds per service, so it raises its own soft
        # limit, and its children get the one corral was given back.
        def limit(soft, hard):
            return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        for i in range(100):
            self.service(f"s{i}", "command: [sleep, '1000']\n")
        self.service("look", f"type: oneshot\ncommand: 'ulimit -Sn > {self.path('lim')}; "
                             f"ulimit -Hn >> {self.path('lim')}'\n")
        c = self.run_services(preexec=limit(128, 4096))
        wait_ready(self)
        harness.wait_for(lambda: sum(s["state"] == "up" for s in status(self)[0].values()) == 100,
                         20, what="all 100 services up")
        self.assertEqual(harness.read(self.path("lim")).split(), ["128", "4096"])
        self.assertNotIn("Too many open files", c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

        # Where the hard limit itself is too low, the warning says so.
        c = self.run_services(preexec=limit(128, 128))
        harness.wait_for(lambda: "Too many open files" in c.stderr(), 20,
                         what="the open files warning")
        self.assertRegex(c.stderr(), r"s\d+: pipe: Too many open files \(corral holds \d+ open files "
                                     r"of the 128 it may: raise the container's hard `ulimit -n`\)")
        c.signal(signal.SIGTERM)
        c.wait()

    def test_corral_yaml_log_level_quiets_state_changes(self):
        cfg = self.write_conf("log_level: warn\n")
        self.service("one", "type: oneshot\ncommand: 'true'\n")
        c = self.run_services(args=["--config", cfg])
        self.assertEqual(c.wait(), 0)
        self.assertNotIn("one: done", c.stderr())
        c2 = self.run_services()
        self.assertEqual(c2.wait(), 0)
        self.assertIn("one: done", c2.stderr())

    def test_services_inherit_the_environment_unless_clear_env(self):
        self.service("keep", f"type: oneshot\ncommand: 'echo $CORRAL_TEST_VAR > {self.path('keep')}'\n")
        self.service("clear", f"type: oneshot\nclear_env: true\nenvironment: {{PATH: /usr/bin:/bin}}\n"
                              f"command: 'echo x$CORRAL_TEST_VAR > {self.path('clear')}'\n")
        # An inherited variable set again in the file is replaced, not doubled.
        self.service("over", f"type: oneshot\nenvironment: {{CORRAL_TEST_VAR: mine}}\n"
                             f"command: 'env | grep ^CORRAL_TEST_VAR= > {self.path('over')}'\n")
        c = self.run_services(env={"CORRAL_TEST_VAR": "inherited"})
        self.assertEqual(c.wait(), 0)
        self.assertEqual(harness.read(self.path("keep")).strip(), "inherited")
        self.assertEqual(harness.read(self.path("clear")).strip(), "x")
        self.assertEqual(harness.read(self.path("over")), "CORRAL_TEST_VAR=mine\n")


class NoDev(svc.ServiceTest):
    def test_corral_runs_without_dev_null(self):
        # An empty chroot or a FROM scratch image may have no /dev at all.
        self.service("one", f"type: oneshot\ncommand: 'echo ran > {self.path('ran')}'\n")
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                            'mount -t tmpfs tmpfs /dev && exec "$@"', "w", harness.CORRAL,
                            "--socket", self.path("s.sock"), "--services", self.dir],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("/dev/null: No such file or directory", r.stderr)
        self.assertEqual(harness.read(self.path("ran")), "ran\n")


class BadConfig(svc.ServiceTest):
    def check(self, *args):
        return subprocess.run([harness.CORRAL, "--services", self.dir, *args],
                              capture_output=True, text=True, timeout=10)

    def test_a_bad_file_refuses_the_start_with_file_line_column(self):
        self.service("good", f"command: [sh, -c, 'echo started > {self.path('started')}']\n")
        self.service("web", "command: [nginx]\nrestart: allways\n")
        r = self.check()
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{self.dir}/web.yaml:2:10: restart: expected always|on-failure|never, "
                      'got "allways"', r.stderr)
        self.assertFalse(os.path.exists(self.path("started")), "nothing may start")

    def test_every_error_is_reported_not_just_the_first(self):
        self.service("a", "command: [x]\nstop_timeout: soon\nrestart: sometimes\n")
        self.service("b", "comand: [x]\n")
        r = self.check("--check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("a.yaml:2:15: stop_timeout: expected a duration", r.stderr)
        self.assertIn("a.yaml:3:10: restart: expected always|on-failure|never", r.stderr)
        self.assertIn('b.yaml:1:1: unknown key "comand" (did you mean "command"?)', r.stderr)

    def test_a_dependency_on_a_missing_service_is_named(self):
        self.service("a", "command: [x]\ndepends_on: [nope]\n")
        r = self.check("--check")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"a.yaml:2:\d+: .*nope")

    def test_a_cycle_is_named_as_the_cycle(self):
        self.service("a", "command: [x]\ndepends_on: [b]\n")
        self.service("b", "command: [x]\ndepends_on: [a]\n")
        r = self.check("--check")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"a -> b -> a|b -> a -> b")

    def test_check_prints_the_start_order(self):
        self.service("web", "command: [x]\ndepends_on: {prep: {condition: completed}}\n")
        self.service("prep", "type: oneshot\ncommand: [x]\n")
        r = self.check("--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"1\. prep \(oneshot\)\n\s+2\. web \(longrun\) after prep: completed")


if __name__ == "__main__":
    harness.main()
