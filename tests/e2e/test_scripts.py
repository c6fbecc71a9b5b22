"""corral.yaml's script directories: startup_scripts run one at a time in
lexical order before any service and before the main command, a failing one
ends the start with its code and its name, --skip-startup-scripts skips
them; pre_shutdown_scripts run before the services stop and
post_shutdown_scripts once they have stopped, in order, within
shutdown_timeout."""

import os
import signal

import ctl
import harness
import svc


class Scripts(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.log = self.path("log")
        for d in ("init.d", "pre.d", "post.d"):
            os.mkdir(self.path(d))

    def add(self, d, name, body, mode=0o755):
        p = os.path.join(self.path(d), name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(p, mode)

    def conf(self, extra=""):
        return self.write_conf(f"startup_scripts: {self.path('init.d')}\n"
                               f"pre_shutdown_scripts: {self.path('pre.d')}\n"
                               f"post_shutdown_scripts: {self.path('post.d')}\n" + extra)

    def lines(self):
        return harness.read(self.log).splitlines()

    def test_startup_scripts_run_in_order_to_completion_before_services_and_main(self):
        # 10 takes a while: 2 and the services must still wait for it.
        self.add("init.d", "10-slow", f"sleep 0.3; echo 10 >> {self.log}; echo hello from ten\n")
        self.add("init.d", "2-fast", f"echo 2 >> {self.log}\n")
        self.add("init.d", "30-last", f"echo 30 >> {self.log}\n")
        self.add("init.d", "40-not-executable", f"echo 40 >> {self.log}\n", mode=0o644)
        self.service("web", f"command: \"echo web >> {self.log}; exec sleep 1000\"\n")
        c = self.run_services(["--config", self.conf()],
                              main=["sh", "-c", f"echo main >> {self.log}; sleep 0.2"])
        self.assertEqual(c.wait(), 0)
        got = self.lines()
        # Lexical order: "10-slow" < "2-fast" < "30-last"; every service after.
        self.assertEqual(got[:3], ["10", "2", "30"])
        self.assertEqual(sorted(got[3:]), ["main", "web"])
        self.assertRegex(c.stdout(), r"10-slow\s*\| hello from ten")
        self.assertIn(f"startup script: running {self.path('init.d')}/10-slow", c.stderr())

    def test_a_failing_startup_script_ends_the_start_with_its_code_and_name(self):
        self.add("init.d", "10-ok", f"echo 10 >> {self.log}\n")
        self.add("init.d", "20-bad", f"echo 20 >> {self.log}; echo broken >&2; exit 3\n")
        self.add("init.d", "30-never", f"echo 30 >> {self.log}\n")
        self.service("web", f"command: \"echo web >> {self.log}; exec sleep 1000\"\n")
        c = self.run_services(["--config", self.conf()],
                              main=["sh", "-c", f"echo main >> {self.log}"])
        self.assertEqual(c.wait(), 3)
        self.assertEqual(self.lines(), ["10", "20"])
        self.assertIn(f"startup script {self.path('init.d')}/20-bad exited 3", c.stderr())
        self.assertRegex(c.stderr(), r"20-bad\s*\| broken")

    def test_skip_startup_scripts_skips_them(self):
        self.add("init.d", "10", f"echo 10 >> {self.log}\n")
        c = self.corral(["sh", "-c", f"echo main >> {self.log}"],
                        args=["--config", self.conf(), "--skip-startup-files"])
        self.assertEqual(c.wait(), 0)
        self.assertEqual(self.lines(), ["main"])

    def test_startup_scripts_run_before_a_pure_init_main(self):
        self.add("init.d", "10", f"echo 10 >> {self.log}\n")
        c = self.corral(["sh", "-c", f"echo main >> {self.log}; exit 4"],
                        args=["--config", self.conf()])
        self.assertEqual(c.wait(), 4)
        self.assertEqual(self.lines(), ["10", "main"])

    def test_check_lists_the_startup_scripts_in_order(self):
        self.add("init.d", "b", "true\n")
        self.add("init.d", "a", "true\n")
        self.service("web", "command: [sleep, '1']\n")
        r = self.corral([], args=["--config", self.conf(), "--services", self.dir, "--check"],
                        pid1=False)
        self.assertEqual(r.wait(), 0)
        self.assertRegex(r.stdout(), r"2 startup scripts, in order, before any service:\n"
                                     r"\s+1\. a\n\s+2\. b\n")
        self.assertIn(f"{self.path('pre.d')}: 0 scripts, in order, before the services stop",
                      r.stdout())

    def test_shutdown_scripts_run_in_order_around_the_stop_of_the_services(self):
        pid = self.path("pid")
        self.service("web", f"command: \"trap 'echo web-stopped >> {self.log}; exit 0' TERM; "
                            f"echo $$ > {pid}; while :; do sleep 0.05; done\"\n")
        # The pre-shutdown scripts see the service still running.
        self.add("pre.d", "10", f"kill -0 $(cat {pid}) && echo pre10-web-alive >> {self.log}\n")
        self.add("pre.d", "20", f"echo pre20 >> {self.log}; exit 1\n")  # a failure goes on
        self.add("post.d", "10", f"kill -0 $(cat {pid}) 2>/dev/null || "
                                 f"echo post10-web-gone >> {self.log}\n")
        self.add("post.d", "20", f"echo post20 >> {self.log}\n")
        c = self.run_services(["--config", self.conf()])
        self.wait_file("pid")
        ctl.wait_ready(self)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertEqual(self.lines(), ["pre10-web-alive", "pre20", "web-stopped",
                                        "post10-web-gone", "post20"])
        err = c.stderr()
        self.assertIn(f"pre-shutdown script: running {self.path('pre.d')}/10", err)
        self.assertIn(f"pre-shutdown script {self.path('pre.d')}/20 exited 1", err)
        self.assertIn(f"post-shutdown script: running {self.path('post.d')}/20", err)

    def test_a_hanging_shutdown_script_is_cut_short_by_shutdown_timeout(self):
        self.add("pre.d", "10", f"echo pre >> {self.log}; exec sleep 1000\n")
        self.add("post.d", "10", f"echo post >> {self.log}\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services(["--config", self.conf("shutdown_timeout: 1s\nkill_grace: 200ms\n")])
        ctl.wait_ready(self)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertLess(c.elapsed(), 8)
        self.assertIn("shutdown_timeout (1s) reached: killing everything", c.stderr())
        # Nothing more runs after the budget is spent.
        self.assertEqual(self.lines(), ["pre"])

    def test_sigterm_during_the_startup_scripts_stops_them_and_starts_nothing(self):
        self.add("init.d", "10", f"echo 10 >> {self.log}; exec sleep 1000\n")
        self.add("init.d", "20", f"echo 20 >> {self.log}\n")
        self.add("pre.d", "10", f"echo pre >> {self.log}\n")
        self.service("web", f"command: \"echo web >> {self.log}; exec sleep 1000\"\n")
        c = self.run_services(["--config", self.conf()])
        harness.wait_for(lambda: self.lines() == ["10"], 5, what="script 10")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertEqual(self.lines(), ["10"])


if __name__ == "__main__":
    harness.main()
