"""A baseimage-docker layout converted as docs/migrating-from-baseimage-docker.md
says: my_init.d scripts (one exports a secret through the container
environment), a service that uses it, a worker with a finish script that
says do not restart, a stop command, an sshd-like service installed but not
started, and a `docker exec` shell that sources container_environment.sh."""

import os
import signal
import subprocess

import ctl
import harness
import svc


class BaseimageLayout(svc.ServiceTest):
    def test_the_converted_layout_runs_as_the_guide_says(self):
        init = self.path("my_init.d")
        env = self.path("container_environment")
        log = self.path("log")
        os.mkdir(init)
        self.script("my_init.d/10_secret",
                    f"#!/bin/sh\nset -e\n[ -s {env}/SESSION_KEY ] || echo k-123 > {env}/SESSION_KEY\n")
        self.script("my_init.d/20_migrate", f"#!/bin/sh\necho migrated >> {log}\n")
        self.script("rc.local", f"#!/bin/sh\necho rc.local >> {log}\n")
        os.symlink(self.path("rc.local"), os.path.join(init, "zz-rc.local"))
        conf = self.write_conf(f"startup_scripts: {init}\ncontainer_environment: {env}\n"
                               "write_container_environment: true\n")
        self.service("web", f"command: exec sh -c 'echo web $SESSION_KEY >> {log}; "
                            "exec sleep 1000'\n")
        self.service("worker", f"command: \"echo worker >> {log}; exit 3\"\n"
                               "depends_on: [web]\n"
                               f"finish: |\n  echo finish $CORRAL_EXIT_CODE >> {log}\n"
                               "  [ \"$CORRAL_EXIT_CODE\" = 3 ] && exit 125\n  exit 0\n")
        self.service("nginx", "command: \"trap '' TERM; while :; do sleep 0.05; done\"\n"
                              f"depends_on: [web]\nstop_command: \"echo quit >> {log}; "
                              "kill -KILL $MAINPID\"\n")
        self.service("sshd", f"command: \"echo sshd >> {log}; exec sleep 1000\"\n"
                             "autostart: false\n")
        c = self.run_services(["--config", conf])
        ctl.wait_ready(self)
        harness.wait_for(lambda: ctl.status(self)[0]["worker"]["state"] == "failed", 10,
                         what="worker failed for good")
        st = ctl.status(self)[0]
        self.assertEqual(st["sshd"]["state"], "down")
        self.assertEqual(st["web"]["state"], "up")
        # web is up once spawned: its line may come after worker's end.
        harness.wait_for(lambda: any(l.startswith("web ") for l in harness.read(log).splitlines()),
                         10, what="web's line")
        lines = harness.read(log).splitlines()
        self.assertEqual(lines[:2], ["migrated", "rc.local"])
        self.assertIn("web k-123", lines)
        # Its finish after it, and 125: never restarted.
        self.assertEqual([l for l in lines if l.startswith(("worker", "finish"))],
                         ["worker", "finish 3"])
        # A docker exec shell sees what the services see.
        out = subprocess.run(["sh", "-c", f". {env}.sh; echo $SESSION_KEY"],
                             capture_output=True, text=True).stdout
        self.assertEqual(out.strip(), "k-123")
        self.assertEqual(ctl.ctl(self, "start", "sshd").returncode, 0)
        harness.wait_for(lambda: "sshd" in harness.read(log), 5, what="sshd")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertIn("quit", harness.read(log).splitlines())


if __name__ == "__main__":
    harness.main()
