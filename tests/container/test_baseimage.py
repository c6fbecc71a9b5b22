"""examples/baseimage, a baseimage-docker layout (my_init.d, the container
environment, a down service, syslog, a cron job, pre-shutdown scripts) run
by corral alone in a real container: the startup scripts run in order
before any service, the secret one of them exports reaches the web server
and a `podman exec` shell, `logger` lines come out under the job that sent
them, the job runs on its schedule, the down service starts on request, and
`podman stop` runs the pre-shutdown script and exits 0."""

import os
import re

import ctr

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "baseimage")
SCRATCH = os.path.join(HERE, "..", "..", "examples", "scratch")


def read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


class Baseimage(ctr.TestCase):
    def setUp(self):
        super().setUp()
        if not self.has_corralctl:
            self.skipTest("corralctl not built: the test asks corral for status")
        self.image.add_text("/etc/passwd", read(SCRATCH, "passwd"))
        self.image.add_text("/etc/group", read(SCRATCH, "group"))
        self.image.add_text("/etc/corral/corral.yaml", read(EXAMPLE, "corral.yaml"))
        for d in ("my_init.d", "my_init.pre_shutdown.d"):
            self.image.dirs[f"/etc/{d}"] = 0o755
            for f in sorted(os.listdir(os.path.join(EXAMPLE, d))):
                self.image.add_text(f"/etc/{d}/{f}", read(EXAMPLE, d, f), mode=0o755)
        for f in sorted(os.listdir(os.path.join(EXAMPLE, "services.d"))):
            text = read(EXAMPLE, "services.d", f)
            # The example's job runs every minute; here, every 2 seconds.
            text = text.replace("every: 1m", "every: 2s")
            self.service(f[:-len(".yaml")], text)

    def test_the_baseimage_example_runs_as_my_init_would(self):
        c = self.run_detached()
        ctr.wait_for(lambda: self.status(c)["services"]["web"]["state"] == "up", timeout=30,
                     what="web up")
        logs = self.logs(c)
        # Startup scripts in order, both before any service.
        self.assertLess(logs.index("session key ready"), logs.index("www ready"), logs)
        self.assertLess(logs.index("www ready"), logs.index("web: up"), logs)
        # The exported secret reaches the service and a docker exec shell.
        key = self.exec(c, "cat", "/etc/container_environment/SESSION_KEY").stdout.strip()
        self.assertRegex(key, r"^[0-9a-f]{24}$")
        page = self.exec(c, "wget", "-q", "-O", "-", "http://127.0.0.1:8080/").stdout
        self.assertEqual(page.strip(), f"session {key}")
        shell = self.exec(c, "sh", "-c", ". /etc/container_environment.sh; echo $SESSION_KEY")
        self.assertEqual(shell.stdout.strip(), key)
        # The cron job runs on its schedule; its syslog lines are its own.
        ctr.wait_for(lambda: len(re.findall(r"backup\s*\| backup: backup done", self.logs(c))) >= 2,
                     timeout=20, what="two runs of the backup job, logged through syslog")
        self.assertNotRegex(self.logs(c), r"syslog\s*\| backup:", "a job's line not its own")
        st = self.status(c)["services"]
        self.assertEqual(st["sshd"]["state"], "down")
        self.assertEqual(self.exec(c, "corralctl", "start", "sshd").returncode, 0)
        ctr.wait_for(lambda: self.status(c)["services"]["sshd"]["state"] == "up", timeout=15,
                     what="sshd started on request")
        ctr.podman("stop", "-t", "10", c, timeout=30)
        self.assertEqual(self.exit_code(c), 0, self.logs(c))
        logs = self.logs(c)
        self.assertIn("goodbye", logs)
        self.assertRegex(logs, r"shutdown\s*\| .*container stopping|container stopping")
        self.assertNotIn("killing everything", logs)


if __name__ == "__main__":
    ctr.main()
