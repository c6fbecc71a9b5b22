"""A service's hooks and its start on request: `finish` after each exit with
the exit in its environment (and 125 meaning do not restart, as s6),
`stop_command` instead of the stop signal (SIGKILL still after
stop_timeout), and `autostart: false` (down until `corralctl start`)."""

import os
import re
import signal

import ctl
import harness
import svc


class Hooks(svc.ServiceTest):
    def test_finish_runs_after_each_exit_with_the_code_before_the_restart(self):
        log = self.path("log")
        self.service("job", f'command: "echo run >> {log}; exit 3"\n'
                            f'finish: "echo finish $CORRAL_EXIT_CODE $CORRAL_EXIT_SIGNAL >> {log}"\n'
                            'backoff: {initial: 50ms}\nstart_limit: {burst: 3, interval: 60s}\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: "job: fatal" in c.stderr(), 10, what="fatal")
        # Each run is followed by its finish, and the next run comes after it.
        self.assertEqual(harness.read(log).splitlines(),
                         ["run", "finish 3 0"] * 3)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_finish_gets_256_and_the_signal_when_a_signal_killed_it(self):
        log = self.path("log")
        self.service("job", 'command: "kill -KILL $$"\nrestart: never\n'
                            f'finish: "echo $CORRAL_EXIT_CODE $CORRAL_EXIT_SIGNAL > {log}"\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: harness.read(log).strip() == "256 9", 10, what="finish")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_finish_exiting_125_means_do_not_restart(self):
        runs = self.path("runs")
        self.service("job", f'command: "echo x >> {runs}; exit 1"\nfinish: "exit 125"\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        ctl.wait_ready(self)
        harness.wait_for(lambda: ctl.status(self)[0]["job"]["state"] == "failed", 10,
                         what="job failed")
        self.assertIn("job: finish exited 125: not restarting it", c.stderr())
        self.assertEqual(harness.read(runs).splitlines(), ["x"])
        # Started again on request, it runs again (the 125 held for one exit).
        self.assertEqual(ctl.ctl(self, "start", "job").returncode, 0)
        harness.wait_for(lambda: len(harness.read(runs).splitlines()) == 2, 10, what="rerun")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_status_says_when_a_finish_runs(self):
        self.service("job", f"command: 'exit 2'\nrestart: never\nfinish: [sleep, '1000']\n"
                            "finish_timeout: 1m\n")
        c = self.run_services()
        ctl.wait_ready(self)
        harness.wait_for(lambda: "running its finish" in ctl.status(self)[0]["job"]["reason"],
                         10, what="finish in status")
        self.assertEqual(ctl.status(self)[0]["job"]["reason"], "exited 2; running its finish")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_stopping_a_signal_to_process_service_while_its_finish_runs_stops_only_it(self):
        # Its process is gone: the stop signal has nobody to go to, and
        # kill(0) would reach corral's own process group (all of the
        # container's when corral is its PID 1). In a session of its own
        # here, as in a container.
        self.service("job", "command: 'exit 2'\nrestart: never\nsignal_to: process\n"
                            "finish: [sleep, '2']\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services(preexec=os.setsid)
        ctl.wait_ready(self)
        harness.wait_for(lambda: "running its finish" in ctl.status(self)[0]["job"]["reason"],
                         10, what="finish in status")
        for cmd in ("stop", "restart"):
            self.assertEqual(ctl.ctl(self, cmd, "job").returncode, 0)
        harness.wait_for(lambda: ctl.status(self)[0]["job"]["state"] == "up", 10,
                         what="job restarted after its finish")
        self.assertEqual(ctl.status(self)[0]["idle"]["state"], "up")
        self.assertNotIn("shutting down", c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_finish_that_hangs_is_killed_after_finish_timeout(self):
        runs = self.path("runs")
        self.service("job", f'command: "echo x >> {runs}; exit 1"\nfinish: [sleep, "1000"]\n'
                            'finish_timeout: 200ms\nstart_limit: {burst: 2, interval: 60s}\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: "job: fatal" in c.stderr(), 10, what="fatal")
        self.assertIn("job: finish did not exit within 200ms", c.stderr())
        self.assertEqual(len(harness.read(runs).splitlines()), 2)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_finish_that_cannot_run_is_named_with_the_reason(self):
        self.service("job", "command: 'exit 1'\nrestart: never\nfinish: [/nonexistent/cleanup]\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        harness.wait_for(lambda: "job: finish exited 127" in c.stderr(), 10, what="finish")
        self.assertIn("job: finish: exec /nonexistent/cleanup: No such file or directory",
                      c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_stop_command_stops_the_service_instead_of_the_signal(self):
        log = self.path("log")
        # The service ignores SIGTERM: only its stop command ends it.
        self.service("web", f"command: \"trap '' TERM; echo $$ > {self.path('pid')}; "
                            "while :; do sleep 0.05; done\"\n"
                            f'stop_command: "echo stop $MAINPID >> {log}; kill -USR1 $MAINPID"\n')
        c = self.run_services()
        self.wait_file("pid")
        harness.wait_for(lambda: harness.read(self.path("pid")).strip(), 5, what="pid")
        pid = harness.read(self.path("pid")).strip()
        ctl.wait_ready(self)
        r = ctl.ctl(self, "stop", "web")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: ctl.status(self)[0]["web"]["state"] == "stopped", 5, what="stopped")
        self.assertEqual(harness.read(log).split(), ["stop", pid])
        st = ctl.status(self)[0]["web"]
        self.assertIn("SIGUSR1", st["reason"])
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_the_main_command_stops_with_the_stop_command_of_its_section(self):
        log = self.path("log")
        conf = self.write_conf(f'main:\n  stop_command: "echo quit >> {log}; kill -USR1 $MAINPID"\n')
        c = self.corral(["sh", "-c", f"trap '' TERM; echo $$ > {self.path('pid')}; "
                                     "while :; do sleep 0.05; done"],
                        args=["--config", conf])
        self.wait_file("pid")
        harness.wait_for(lambda: harness.read(self.path("pid")).strip(), 5, what="pid")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 128 + signal.SIGUSR1)
        self.assertEqual(harness.read(log), "quit\n")

    def test_a_stop_command_that_fails_falls_back_to_the_stop_signal(self):
        self.service("web", "command: [sleep, '1000']\nstop_command: 'exit 4'\n")
        c = self.run_services()
        ctl.wait_ready(self)
        self.assertEqual(ctl.ctl(self, "stop", "web").returncode, 0)
        harness.wait_for(lambda: ctl.status(self)[0]["web"]["state"] == "stopped", 5, what="stopped")
        self.assertIn("web: stop_command exited 4: sending SIGTERM", c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_service_that_ignores_its_stop_command_is_killed_at_stop_timeout(self):
        self.service("web", "command: \"trap '' TERM; while :; do sleep 0.05; done\"\n"
                            "stop_command: 'true'\nstop_timeout: 300ms\n")
        c = self.run_services()
        ctl.wait_ready(self)
        self.assertEqual(ctl.ctl(self, "stop", "web").returncode, 0)
        harness.wait_for(lambda: ctl.status(self)[0]["web"]["state"] == "stopped", 5, what="stopped")
        self.assertIn("stop timeout (300ms): killed", c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_the_stop_commands_of_a_shutdown_fork_in_turns_and_each_stops_its_service(self):
        # A hundred stop commands fall due in one loop turn: 32 fork in it,
        # the others wait their turn (said at debug level), and every one
        # of them still runs, with its own service's pid, within the stop.
        log = self.path("log")
        for i in range(100):
            self.service(f"s{i:03}", "command: [sleep, '1000']\nstop_timeout: 20s\n"
                                     f"stop_command: 'echo $MAINPID >> {log}; kill $MAINPID'\n")
        c = self.run_services(args=["-v"])
        ctl.wait_ready(self)
        harness.wait_for(lambda: all(v["state"] == "up" for v in ctl.status(self)[0].values()),
                         20, what="100 up")
        pids = sorted(str(v["pid"]) for v in ctl.status(self)[0].values())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(30), 0, c.stderr()[-2000:])
        self.assertGreaterEqual(c.stderr().count(": stop_command waiting for its turn"), 100 - 32)
        self.assertEqual(sorted(harness.read(log).split()), pids)
        self.assertEqual(len(re.findall(r"s\d{3}: stopped \(killed by SIGTERM\)", c.stderr())),
                         100)
        self.assertNotIn("did not exit in time", c.stderr())

    def test_autostart_false_is_down_until_started_and_its_dependents_wait(self):
        self.service("admin", f"command: \"touch {self.path('admin')}; exec sleep 1000\"\n"
                              "autostart: false\n")
        self.service("panel", f"command: \"touch {self.path('panel')}; exec sleep 1000\"\n"
                              "depends_on: [admin]\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services()
        ctl.wait_ready(self)
        harness.wait_for(lambda: ctl.status(self)[0]["web"]["state"] == "up", 5, what="web up")
        st = ctl.status(self)[0]
        self.assertEqual(st["admin"]["state"], "down")
        self.assertIn("autostart: false", st["admin"]["reason"])
        self.assertEqual(st["panel"]["state"], "waiting")
        self.assertFalse(os.path.exists(self.path("admin")))
        r = ctl.ctl(self, "start", "admin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_file("admin")
        self.wait_file("panel")  # its dependent follows
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_set_of_only_autostart_false_services_keeps_corral_running(self):
        self.service("admin", "command: [sleep, '1000']\nautostart: false\n")
        c = self.run_services()
        ctl.wait_ready(self)
        self.assertEqual(ctl.status(self)[0]["admin"]["state"], "down")
        self.assertIsNone(c.proc.poll())
        self.assertEqual(ctl.ctl(self, "start", "admin").returncode, 0)
        harness.wait_for(lambda: ctl.status(self)[0]["admin"]["state"] == "up", 5, what="up")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)


if __name__ == "__main__":
    harness.main()
