"""corral import, then corral: a supervisord.conf and a runit tree,
imported, run under corral as their sources ran them: in priority and
dependency order, restarted and given up on as supervisord would, stopped
with their stop signal in reverse order, with the user and the readiness
check their run scripts and check files asked for."""

import os
import signal
import subprocess

import harness


def log_lines(path):
    return harness.read(path).split()


class ImportRun(harness.TestCase):
    def import_(self, fmt, *sources):
        out = self.path("out")
        r = subprocess.run([harness.CORRAL, "import", fmt, *sources, "--to", out],
                           capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def test_a_supervisord_conf_runs_in_order_restarts_and_stops_with_its_signal(self):
        log = self.path("LOG")
        conf = self.path("supervisord.conf")
        with open(conf, "w") as f:
            f.write(f"""[supervisord]
nodaemon=true

[program:db]
command=/bin/sh -c "trap 'echo db-got-TERM >> {log}; exit 0' TERM; echo db >> {log}; while :; do sleep 0.1; done"
priority=10

[program:web]
command=/bin/sh -c "trap 'echo web-got-INT >> {log}; exit 0' INT; echo web >> {log}; while :; do sleep 0.1; done"
priority=20
stopsignal=INT

[program:worker]
command=/bin/sh -c "echo worker >> {log}; sleep 0.2; exit 1"
priority=30
autorestart=true
startretries=2
""")
        out = self.import_("supervisord", conf)
        plan = subprocess.run([harness.CORRAL, "--check", "--config", f"{out}/corral.yaml"],
                              capture_output=True, text=True)
        self.assertEqual(plan.returncode, 0, plan.stderr)
        self.assertIn("2. web (longrun) after db: started", plan.stdout)
        self.assertIn("3. worker (longrun) after web: started", plan.stdout)

        c = self.corral(None, args=["--config", f"{out}/corral.yaml"])
        # startretries=2: supervisord makes 3 attempts, then FATAL; corral
        # restarts at once, then after 1s, and goes fatal at the 4th start.
        harness.wait_for(lambda: "worker: fatal" in c.stderr(), 15, what="worker to go fatal")
        err = c.stderr()
        self.assertIn("worker: starting (exited 1, restarted at once)", err)
        self.assertIn("worker: backoff (exited 1, restart in 1s)", err)
        self.assertIn("start limit: 3 starts within 7s", err)
        self.assertEqual(log_lines(log).count("worker"), 3)
        self.assertLess(err.index("db: up"), err.index("web: up"))
        self.assertLess(err.index("web: up"), err.index("worker: up"))

        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        # web (priority 20) stops first, with its stopsignal; db after it.
        lines = log_lines(log)
        self.assertIn("web-got-INT", lines)
        self.assertIn("db-got-TERM", lines)
        self.assertLess(lines.index("web-got-INT"), lines.index("db-got-TERM"))

    def test_a_runit_tree_runs_with_its_user_dependencies_and_check(self):
        log = self.path("LOG")
        os.chmod(self.tmp, 0o777)
        with open(log, "w"):
            pass
        os.chmod(log, 0o666)  # app writes to it as nobody
        flag = self.path("db-is-ready")
        os.makedirs(self.path("sv/db"))
        os.makedirs(self.path("sv/app"))
        self.script("sv/db/run", f"""#!/bin/sh
exec 2>&1
exec /bin/sh -c 'sleep 0.5; echo db-ready >> {log}; touch {flag}; exec sleep 1000'
""")
        self.script("sv/db/check", f"#!/bin/sh\ntest -f {flag}\n")
        self.script("sv/app/run", f"""#!/bin/sh
sv start db || exit 1
exec chpst -u nobody /bin/sh -c 'echo app-uid-$(id -u) >> {log}; exec sleep 1000'
""")
        out = self.import_("runit", self.path("sv"))
        with open(f"{out}/services.d/app.yaml") as f:
            app = f.read()
        self.assertIn("user: nobody", app)
        self.assertIn("db: {condition: ready}", app)
        self.assertNotIn("chpst", app)

        c = self.corral(None, args=["--config", f"{out}/corral.yaml"])
        harness.wait_for(lambda: any(l.startswith("app-uid-") for l in log_lines(log)), 15,
                         what="app to start")
        lines = log_lines(log)
        nobody = subprocess.run(["id", "-u", "nobody"], capture_output=True,
                                text=True).stdout.strip()
        # app waited for db's check (the flag comes after db-ready), and runs
        # as the user chpst named, without chpst.
        self.assertLess(lines.index("db-ready"), lines.index(f"app-uid-{nobody}"))
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_compose_file_waits_for_health_and_completion(self):
        log = self.path("LOG")
        flag = self.path("db-is-healthy")
        compose = self.path("docker-compose.yaml")
        with open(compose, "w") as f:
            f.write(f"""services:
  db:
    image: postgres:16
    command: ["/bin/sh", "-c", "sleep 0.5; echo db-healthy >> {log}; touch {flag}; exec sleep 1000"]
    healthcheck:
      test: ["CMD-SHELL", "test -f {flag}"]
      interval: 200ms
      timeout: 1s
      retries: 20
  migrate:
    command: ["/bin/sh", "-c", "echo migrate >> {log}"]
    depends_on:
      db: {{condition: service_healthy}}
  web:
    command: ["/bin/sh", "-c", "echo web >> {log}; exec sleep 1000"]
    stop_signal: SIGINT
    depends_on:
      migrate: {{condition: service_completed_successfully}}
""")
        out = self.import_("compose", compose)
        c = self.corral(None, args=["--config", f"{out}/corral.yaml"])
        harness.wait_for(lambda: "web" in log_lines(log), 15, what="web to start")
        # migrate ran once db's healthcheck passed, web once migrate completed.
        self.assertEqual(log_lines(log), ["db-healthy", "migrate", "web"])
        self.assertIn("migrate: done", c.stderr())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_usage_errors_a_missing_source_and_a_dry_run_that_writes_nothing(self):
        def run(*args):
            return subprocess.run([harness.CORRAL, "import", *args], capture_output=True,
                                  text=True, cwd=self.tmp)
        r = run("supervisord", "x.conf")
        self.assertEqual(r.returncode, 2)
        self.assertIn("expected --to DIR or --dry-run", r.stderr)
        r = run("upstart", "x.conf", "--dry-run")
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown format "upstart"', r.stderr)
        r = run("supervisord", "missing.conf", "--to", "out")
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.conf: cannot read: No such file or directory", r.stderr)
        self.assertFalse(os.path.exists(self.path("out")))
        with open(self.path("Procfile"), "w") as f:
            f.write("web: serve --port $PORT\n")
        r = run("procfile", "Procfile", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("==> services.d/web.yaml <==\n", r.stdout)
        self.assertIn('command: "serve --port $PORT"', r.stdout)
        self.assertIn("==> import-report.txt <==\n", r.stdout)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["Procfile"])


if __name__ == "__main__":
    harness.main()
