"""What corral says and does where its documentation promises it: the
dependency a service waits for, the check a service failed to pass in
time, a sd_notify MAINPID= that changes nothing, sd_notify refusals said
once and STATUS= kept as text, a service killed at
shutdown_timeout reported as stopped (not failed), and a service run as
another user getting that user's HOME, USER and LOGNAME."""

import os
import re
import signal
import subprocess

import harness
import svc
from ctl import ctl, status, wait_ready

SDNOTIFY_MAINPID = r'''
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(("MAINPID=%d\nREADY=1\n" % os.getpid()).encode(), addr)
time.sleep(1000)
'''

# A service that repeats what corral refuses, and a status cut mid-character
# and holding control bytes; then it says it is done.
SDNOTIFY_NOISY = r'''
import os, socket, sys, time
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(300):
    s.sendto(b"MAINPID=1\nSTOPPING=1\n", addr)
s.sendto(("STATUS=" + "\u00e9" * 100).encode() + b"\n", addr)
s.sendto(b"STATUS=a\x1b[2Jb\tc\xffd\x9be\xc2\x9bf\nREADY=1\n", addr)
open(sys.argv[1], "w").close()
time.sleep(1000)
'''


class Promises(svc.ServiceTest):
    def test_a_waiting_service_names_the_dependency_it_waits_for(self):
        self.service("db", "command: [sleep, '1000']\nreadiness: {tcp: '127.0.0.1:1'}\n")
        self.service("web", "command: [sleep, '1000']\ndepends_on: [db]\n")
        self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"]["reason"] ==
                         "waiting for db (starting, needs ready)", 10,
                         what="web's reason naming db")

    def test_not_ready_in_time_says_which_check_failed_and_how(self):
        self.service("db", "command: [sleep, '1000']\n"
                           "readiness: {tcp: '127.0.0.1:1', interval: 100ms, timeout: 500ms}\n"
                           "start_limit: {burst: 1, interval: 1m}\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "db: stopping (not ready in time (last check: tcp 127.0.0.1:1: connect: "
                         "connection refused): stopping)" in c.stderr(), 10,
                         what="the check in the reason")
        harness.wait_for(lambda: "db: fatal (start limit: 1 starts within 1m, last not ready in "
                         "time)" in c.stderr(), 10, what="the cause in the fatal line")

    def test_sd_notify_mainpid_of_the_supervised_process_is_quiet(self):
        script = self.script("notify.py", SDNOTIFY_MAINPID)
        self.service("fpm", f"command: [{harness.PY}, {script}]\nreadiness: {{notify: systemd}}\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["fpm"]["state"] == "up", 10, what="fpm up")
        self.assertNotIn("MAINPID", c.stderr())

    def test_what_sd_notify_repeats_is_said_once_and_its_status_stays_text(self):
        # corral's own log is bounded: a refusal repeated 300 times is one
        # line, not 300 that crowd out the rest.
        script, said = self.script("noisy.py", SDNOTIFY_NOISY), self.path("said")
        self.service("noisy", f"command: [{harness.PY}, {script}, {said}]\n"
                              "readiness: {notify: systemd}\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["noisy"]["state"] == "up", 10, what="noisy up")
        self.assertEqual(c.stderr().count("sd_notify MAINPID= refused"), 1, c.stderr()[-2000:])
        self.assertEqual(c.stderr().count("says it is stopping"), 1)
        # The last STATUS= is shown; its control characters (a stray 0x9b
        # would be U+009B, CSI) as spaces, a stray byte as U+00FF, never a
        # status that vanishes from the reply.
        self.assertEqual(status(self)[0]["noisy"].get("status_text"), "a [2Jb c\u00ffd e f")

    def test_a_status_cut_to_fit_keeps_whole_characters(self):
        script = self.script("cut.py", SDNOTIFY_NOISY.replace(
            'b"STATUS=a\\x1b[2Jb\\tc\\xffd\\x9be\\xc2\\x9bf\\nREADY=1\\n"', 'b"READY=1\\n"'))
        self.service("cut", f"command: [{harness.PY}, {script}, {self.path('said')}]\n"
                            "readiness: {notify: systemd}\n")
        self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["cut"]["state"] == "up", 10, what="cut up")
        self.assertEqual(status(self)[0]["cut"].get("status_text"), "\u00e9" * 63)

    def test_a_service_killed_at_shutdown_timeout_is_stopped_not_failed(self):
        cfg = self.write_conf("shutdown_timeout: 1s\n")
        self.service("db", "command: 'echo db up; exec sleep 1000'\n")
        trapped = self.path("trapped")
        self.service("app", f"command: \"trap '' TERM; touch {trapped}; while :; do sleep 0.05; done\"\n"
                            "depends_on: {db: {condition: started}}\nstop_timeout: 30s\n")
        c = self.run_services(args=["--config", cfg])
        wait_ready(self)
        harness.wait_for(lambda: all(s["state"] == "up" for s in status(self)[0].values()), 10)
        # Up once its shell runs; the trap is set a moment later (a SIGTERM
        # before it would kill the shell, rightly).
        harness.wait_for(lambda: os.path.exists(trapped), 10, what="app's trap set")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(15), 0)
        err = c.stderr()
        self.assertIn("shutdown_timeout (1s) reached", err)
        # db never got its stop signal (app still ran): killed, but stopped.
        self.assertRegex(err, r"db: stopped \(killed by SIG(TERM|KILL)\)")
        self.assertNotIn("db: failed", err)
        self.assertNotIn("its last", err)
        self.assertNotIn("after the grace period", err)

    def test_stop_timeouts_longer_than_shutdown_timeout_are_a_warning(self):
        self.service("web", "command: [sleep, '1000']\nstop_timeout: 20s\n")
        self.service("app", "command: [sleep, '1000']\nstop_timeout: 5s\ndepends_on: [web]\n")
        r = subprocess.run([harness.CORRAL, "--services", self.dir, "--check"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertIn("stop_timeout: stopping can take 25s (web 20s after app 5s), longer than "
                      "shutdown_timeout 9s", r.stderr)
        cfg = self.write_conf("shutdown_timeout: 30s\n")
        r = subprocess.run([harness.CORRAL, "--services", self.dir, "--config", cfg, "--check"],
                           capture_output=True, text=True, timeout=10)
        self.assertNotIn("stop_timeout", r.stderr)

    def test_a_service_run_as_another_user_gets_its_home_user_and_logname(self):
        out, out2 = self.path("env"), self.path("env2")
        os.chmod(self.tmp, 0o777)
        self.service("asnobody", f"type: oneshot\nuser: nobody\n"
                                 f"command: 'env > {out}'\n")
        self.service("override", f"type: oneshot\nuser: nobody\nenvironment: {{HOME: /srv}}\n"
                                 f"command: 'env > {out2}'\n")
        c = self.run_services()
        self.assertEqual(c.wait(10), 0)
        env = dict(l.split("=", 1) for l in harness.read(out).splitlines() if "=" in l)
        self.assertEqual((env.get("USER"), env.get("LOGNAME")), ("nobody", "nobody"))
        self.assertEqual(env.get("HOME"), "/nonexistent")
        env2 = dict(l.split("=", 1) for l in harness.read(out2).splitlines() if "=" in l)
        self.assertEqual(env2.get("HOME"), "/srv")


class MainAfterOneshots(svc.ServiceTest):
    """`corral -- CMD` runs CMD once the directory's oneshots have finished, as
    my_init runs its startup scripts first; corral.yaml's main: section
    configures that main like any service."""

    def test_the_main_command_starts_after_every_oneshot_has_finished(self):
        done = self.path("prep-done")
        self.service("prep", f"type: oneshot\ncommand: 'sleep 0.5; touch {done}'\n")
        self.service("slow", "type: oneshot\ncommand: 'sleep 0.2; exit 3'\n")
        seen = self.path("seen")
        c = self.run_services(main=["sh", "-c", f"test -e {done} && echo yes > {seen}"])
        self.assertEqual(c.wait(15), 0)
        self.assertEqual(harness.read(seen).strip(), "yes", "main ran before prep had finished")
        err = c.stderr()
        # A non-critical oneshot that fails is said, and main still runs.
        self.assertIn("slow: failed (exited 3)", err)
        self.assertLess(err.index("prep: done (exited 0)"), err.index("main: up"))
        self.assertNotIn("stop_timeout", err, "a finished oneshot does not stop after main")

    def test_a_failing_critical_oneshot_aborts_before_main_with_its_code(self):
        ran = self.path("ran")
        self.service("prep", "type: oneshot\ncritical: true\ncommand: 'exit 4'\n")
        c = self.run_services(main=["touch", ran])
        self.assertEqual(c.wait(15), 4)
        self.assertFalse(os.path.exists(ran), "main ran although the boot failed")

    def test_a_main_section_with_depends_on_decides_what_main_waits_for(self):
        self.service("prep", "type: oneshot\ncommand: [sleep, '1000']\n")
        self.service("db", "command: [sleep, '1000']\n")
        cfg = self.write_conf("main:\n  depends_on: [db]\n  stop_signal: INT\n")
        c = self.run_services(args=["--config", cfg],
                              main=["sh", "-c", "trap 'echo got INT; exit 0' INT; "
                                    "echo started; while :; do sleep 0.05; done"])
        wait_ready(self)
        harness.wait_for(lambda: "main | started" in c.stdout() + c.stderr(), 10,
                         what="main started while prep still runs")
        self.assertEqual(status(self)[0]["prep"]["state"], "starting")
        self.assertEqual(status(self)[0]["main"]["reason"], "running")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(15), 0)
        self.assertIn("main | got INT", c.stdout() + c.stderr())

    def test_main_starts_when_a_oneshot_can_never_run(self):
        # prep waits for db, whose exec fails for good: prep never runs, and
        # that must not hold CMD back forever.
        self.service("db", "command: [./no-such-db]\nrestart: never\n")
        self.service("prep", "type: oneshot\ncommand: [true]\ndepends_on: [db]\n")
        ran = self.path("ran")
        c = self.run_services(main=["touch", ran])
        self.assertEqual(c.wait(15), 0, c.stderr())
        self.assertTrue(os.path.exists(ran))
        self.assertIn("prep: waiting (dependency db is failed: it will not become ready)",
                      c.stderr())

    def test_a_main_that_can_never_start_ends_the_container(self):
        self.service("db", "command: [./no-such-db]\nrestart: never\n")
        self.service("prep", "type: oneshot\ncritical: true\ncommand: [true]\n"
                             "depends_on: [db]\n")
        ran = self.path("ran")
        c = self.run_services(main=["touch", ran])
        self.assertEqual(c.wait(15), 1)
        self.assertFalse(os.path.exists(ran))
        self.assertIn("exiting 1: main cannot start: dependency prep is waiting", c.stderr())

    def test_the_main_section_s_stop_timeout_wins_over_the_command_line_s(self):
        cfg = self.write_conf("main:\n  stop_timeout: 1s\n")
        c = self.run_services(args=["--config", cfg, "--stop-timeout", "30s"],
                              main=["sh", "-c", "trap '' TERM; echo started; "
                                    "while :; do sleep 0.05; done"])
        harness.wait_for(lambda: "main | started" in c.stdout() + c.stderr(), 10)
        c.signal(signal.SIGTERM)
        c.wait(15)
        self.assertIn("main: stopping (stop timeout (1s): killed)", c.stderr())

    def test_a_oneshot_stopped_before_it_finished_is_stopped_not_done(self):
        armed = self.path("armed")
        self.service("prep", f"type: oneshot\ncommand: \"trap 'exit 0' TERM; : > {armed}; "
                             "while :; do sleep 0.05; done\"\n")
        cfg = self.write_conf("main:\n  depends_on: []\n")
        # main ends once prep's trap is set: prep is then stopped half-way.
        c = self.run_services(args=["--config", cfg],
                              main=["sh", "-c", f"until [ -e {armed} ]; do sleep 0.05; done"])
        self.assertEqual(c.wait(15), 0)
        err = c.stderr()
        # It exited 0 on SIGTERM, but it was stopped half-way: not done.
        self.assertIn("prep: stopped (exited 0)", err)
        self.assertNotIn("prep: done", err)


class HonestChecks(svc.ServiceTest):
    """What will certainly fail at run time fails the check and the start,
    with file:line:column, instead of a crash loop of exit 127."""

    def check(self, *args, prefix=()):
        return subprocess.run([*prefix, harness.CORRAL, "--services", self.dir, "--check", *args],
                              capture_output=True, text=True, timeout=30)

    def test_a_missing_or_not_executable_absolute_command_is_an_error(self):
        script = self.script("notexec.sh", "#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o644)
        self.service("httpd", "command: [/usr/sbin/no-such-httpd, -DFOREGROUND]\n")
        self.service("job", f"command: [{script}]\n")
        r = self.check()
        self.assertEqual(r.returncode, 1)
        self.assertIn("httpd.yaml:1:11: command: expected an executable, got "
                      "\"/usr/sbin/no-such-httpd\", which does not exist", r.stderr)
        self.assertIn(f"job.yaml:1:11: command: expected an executable, got \"{script}\", "
                      "which is not an executable file", r.stderr)
        # The daemon refuses to start the same way: nothing crash-loops.
        c = self.run_services()
        self.assertEqual(c.wait(15), 1)
        self.assertIn("no-such-httpd\", which does not exist", c.stderr())
        self.assertNotIn("exited 127", c.stderr())

    def test_a_bare_name_not_on_path_is_a_warning(self):
        self.service("web", "command: [no-such-program-anywhere]\n")
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"web.yaml:1:11: warning: command: \"no-such-program-anywhere\" "
                                   r"is not found on PATH \(.*\): it will fail with exit 127")

    def test_another_user_is_refused_when_corral_is_not_root(self):
        self.service("web", "command: [sleep, '1000']\nuser: root\n")
        os.chmod(self.tmp, 0o755)
        os.chmod(self.dir, 0o755)
        os.chmod(os.path.join(self.dir, "web.yaml"), 0o644)
        r = self.check(prefix=("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("web.yaml:2:7: user: expected corral's own user (uid 65534, gid 65534) or "
                      "none: corral does not run as root", r.stderr)
        # corralctl check is not the corral that will run them, which may be root.
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            harness.CORRALCTL, "check", self.dir], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A group: alone is compared with corral's own gid only.
        self.service("web", "command: [sleep, '1000']\ngroup: '65534'\n")
        r = self.check(prefix=("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_corralctl_check_no_resolve_skips_what_only_the_image_has(self):
        self.service("web", "command: [/opt/app/bin/server]\nuser: only-in-the-image\n"
                            "env_file: /etc/app/env\n")
        r = subprocess.run([harness.CORRALCTL, "check", self.dir], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown user", r.stderr)
        r = subprocess.run([harness.CORRALCTL, "check", "--no-resolve", self.dir],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 service, valid", r.stdout)


class SignalTo(svc.ServiceTest):
    """signal_to: process sends the stop signal (and corralctl signal) to the
    service's own process only, supervisord's stopasgroup=false: a wrapper
    that drains before it stops its child sees the child still alive."""

    WRAPPER = ("command: \"trap 'sleep 0.3; kill -0 $CHILD && echo child alive; "
               "kill $CHILD; exit 0' TERM; trap 'kill -0 $CHILD && echo hup kept child' HUP; "
               "sleep 1000 & CHILD=$!; echo ready; while :; do wait; done\"\n"
               "readiness: {log: ready}\n")

    def run_one(self, extra):
        self.service("web", self.WRAPPER + extra)
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "up", 10)
        return c

    def test_the_stop_signal_reaches_the_main_process_only(self):
        c = self.run_one("signal_to: process\n")
        self.assertEqual(ctl(self, "signal", "HUP", "web").returncode, 0)
        harness.wait_for(lambda: "web | hup kept child" in c.stdout() + c.stderr(), 10,
                         what="HUP to the wrapper only")
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        harness.wait_for(lambda: "web | child alive" in c.stdout() + c.stderr(), 10,
                         what="the child alive while the wrapper drains")
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "stopped", 10)

    def test_by_default_the_whole_group_gets_it(self):
        c = self.run_one("")
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "stopped", 10)
        self.assertNotIn("child alive", c.stdout() + c.stderr())


class UpAfterExec(svc.ServiceTest):
    def test_a_service_whose_exec_fails_is_never_up_and_its_dependents_wait(self):
        # A bare name not on PATH passes the load with a warning; its exec
        # fails at run time: never "up", and nothing that needs it ready starts.
        self.service("bad", "command: [no-such-program-anywhere]\n"
                            "start_limit: {burst: 3, interval: 1m}\n")
        self.service("web", "command: [sleep, '1000']\ndepends_on: [bad]\n")
        c = self.run_services()
        # With nothing left that can run, corral ends by itself.
        self.assertEqual(c.wait(20), 1)
        err = c.stderr()
        self.assertIn("bad: exec no-such-program-anywhere: No such file or directory", err)
        self.assertIn("bad: fatal (start limit: 3 starts within 1m, last exited 127)", err)
        self.assertNotIn("bad: up", err)
        self.assertNotIn("web: up", err)
        self.assertIn("web: waiting (dependency bad is fatal", err)

    def test_started_means_the_program_runs(self):
        self.service("bad", "command: [./no-such-program]\nrestart: never\n")
        self.service("web", "command: [sleep, '1000']\n"
                            "depends_on: {bad: {condition: started}}\n")
        c = self.run_services()
        self.assertEqual(c.wait(15), 1)
        self.assertNotIn("web: up", c.stderr())
        self.assertIn("web: waiting (dependency bad is failed: it will not become started)",
                      c.stderr())

    def test_a_program_that_ran_and_exited_at_once_still_was_up(self):
        # Reaped before its exec pipe was read: it ran, so what needs it
        # ready starts, every time.
        for i in range(20):
            self.service(f"a{i}", "command: [true]\nrestart: never\n")
            self.service(f"b{i}", f"type: oneshot\ncommand: [true]\ndepends_on: [a{i}]\n")
        c = self.run_services()
        self.assertEqual(c.wait(20), 0, c.stderr())
        err = c.stderr()
        for i in range(20):
            self.assertIn(f"b{i}: done (exited 0)", err)


if __name__ == "__main__":
    harness.main()
