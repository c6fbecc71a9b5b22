"""Configuration that must not hurt PID 1: a file past the loader's caps
(100,000 nested lists, 50,000 environment keys) is refused at once by a
reload, while corral keeps answering; a service file that is a broken
symbolic link or a link loop fails `--check` and a reload instead of
vanishing, while a Kubernetes ConfigMap layout (links through ..data) loads;
an unset ${VAR} is a warning at its line, and the load goes on."""

import os
import subprocess
import threading
import time

import harness
import svc
from ctl import ctl, status, wait_ready

LONG = "command: [sleep, '1000']\n"

UNSET_NAME = ("warning: command: ${name} is not set, so it expands to nothing "
              "(write ${name:-} for an empty default, or $${name} for a literal ${name})")


class Hostile(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(harness.CORRALCTL):
            self.fail(f"corralctl not found at {harness.CORRALCTL}")

    def check(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([harness.CORRAL, "--services", self.dir, "--check", *args],
                              capture_output=True, text=True, timeout=20, env=e)

    def web_up(self):
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "up", 10, what="web up")
        return status(self)[0]["web"]["pid"]

    def refused_quickly_while_status_answers(self, name, text, want):
        """Writes the file, reloads, and checks that the reload is refused
        with want within 2 s (it used to keep PID 1 busy for tens of
        seconds: no reaping, no answers) while status answers throughout."""
        self.service("web", LONG)
        self.run_services()
        pid = self.web_up()
        self.service(name, text)
        answers, stop = [], threading.Event()

        def poll():
            while not stop.is_set():
                answers.append(ctl(self, "status", timeout=30).returncode)

        t = threading.Thread(target=poll)
        t.start()
        try:
            start = time.monotonic()
            r = ctl(self, "reload", timeout=60)
            took = time.monotonic() - start
            # One more answer after the reload, then stop polling.
            n = len(answers)
            harness.wait_for(lambda: len(answers) > n, 10, what="status after the reload")
        finally:
            stop.set()
            t.join(60)
        self.assertLess(took, 2.0, "the reload kept corral busy")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{name}.yaml:{want}", r.stderr)
        self.assertTrue(answers and all(a == 0 for a in answers), answers)
        self.assertEqual(status(self)[0]["web"]["pid"], pid, "the running set is unchanged")

    def test_a_reload_of_100000_nested_lists_is_refused_at_once(self):
        self.refused_quickly_while_status_answers(
            "deep", "command: [x]\nenvironment: " + "[ " * 100000 + "\n",
            "2:140: expected at most 64 levels of lists and maps nested in one another")

    def test_a_reload_of_50000_environment_keys_is_refused_at_once(self):
        text = "command: [x]\nenvironment:\n" + "".join(f"  K{i}: v\n" for i in range(50000))
        self.refused_quickly_while_status_answers(
            "wide", text, "4099:3: expected at most 4096 keys in one map, got more")

    def test_check_fails_on_a_broken_link_and_a_link_loop(self):
        self.service("db", LONG)
        os.symlink("..data/web.yaml", os.path.join(self.dir, "web.yaml"))
        os.symlink("b.yaml", os.path.join(self.dir, "a.yaml"))
        os.symlink("a.yaml", os.path.join(self.dir, "b.yaml"))
        r = self.check()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{self.dir}/web.yaml: broken symbolic link to ..data/web.yaml", r.stderr)
        self.assertIn(f"{self.dir}/a.yaml: too many levels of symbolic links", r.stderr)
        self.assertIn(f"{self.dir}/b.yaml: too many levels of symbolic links", r.stderr)

    def configmap(self, stamp, files):
        """Writes files into a new timestamped directory and points ..data at
        it (by an atomic rename, as the kubelet does); NAME.yaml links to
        ..data/NAME.yaml are made once."""
        d = os.path.join(self.dir, stamp)
        os.mkdir(d)
        for name, text in files.items():
            with open(os.path.join(d, name + ".yaml"), "w") as f:
                f.write(text)
        tmp = os.path.join(self.dir, "..data_tmp")
        os.symlink(stamp, tmp)
        os.rename(tmp, os.path.join(self.dir, "..data"))

    def test_a_configmap_layout_runs_and_a_broken_update_is_refused(self):
        self.configmap("..2024_01_01_00_00_00.1", {"web": LONG, "db": LONG})
        for name in ("web", "db"):
            os.symlink(f"..data/{name}.yaml", os.path.join(self.dir, name + ".yaml"))
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"1\. db \(longrun\)\n\s+2\. web \(longrun\)")
        self.run_services()
        pid = self.web_up()
        # An update that lost web.yaml: its link now points at nothing.
        self.configmap("..2024_01_01_00_00_00.2", {"db": LONG})
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{self.dir}/web.yaml: broken symbolic link to ..data/web.yaml", r.stderr)
        self.assertEqual(status(self)[0]["web"]["pid"], pid, "web still runs, unchanged")

    def test_an_unset_variable_is_a_warning_at_its_line_and_the_service_runs(self):
        out = self.path("said")
        self.service("web", f"command: |\n  sleep 1000 &\n  echo \"hello ${{name}}\" > {out}\n"
                            "  wait\n")
        env = {k: v for k, v in os.environ.items() if k != "name"}
        r = self.check(env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"{self.dir}/web.yaml:3:15: {UNSET_NAME}", r.stderr)
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: harness.read(out) == "hello \n", 10, what="web's greeting")
        # A reload says it again, and goes through.
        self.service("api", "command: |\n  exec sleep 1000 ${name}\n")
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        harness.wait_for(lambda: "api" in status(self)[0], 10, what="api added")
        harness.wait_for(lambda: f"api.yaml:2:19: {UNSET_NAME}" in c.stderr(), 10,
                         what="the reload's warning in corral's log")


if __name__ == "__main__":
    harness.main()
