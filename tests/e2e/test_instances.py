"""Instances and groups with the real corral as PID 1: `instances: N` runs N
services NAME.1 .. NAME.N, each with its own pid, restarts, logs and
CORRAL_INSTANCE; `corralctl scale` and a reload of a changed count add and
remove instances (removed ones stop one at a time, the highest first; one
brought back while it stops starts again once it is gone); a
dependency on the file waits for every instance; `@GROUP` addresses every
member of a group in dependency order, and `status @GROUP` filters."""

import os
import signal

import harness
import svc
from ctl import ctl, ctl_json, status, wait_ready


def lines_with(text, needle):
    """Indexes of the lines of text that contain needle."""
    return [i for i, l in enumerate(text.splitlines()) if needle in l]


class Instances(svc.ServiceTest):
    def worker(self, n, extra=""):
        self.service("worker", 'command: "echo worker ${CORRAL_INSTANCE} env $CORRAL_INSTANCE; '
                               f'echo $$ > {self.tmp}/pid-${{CORRAL_INSTANCE}}; exec sleep 1000"\n'
                               f"instances: {n}\nstop_timeout: 2s\n{extra}")

    def up(self, names, timeout=10):
        def all_up():
            st, _ = status(self)
            return all(st.get(n, {}).get("state") == "up" for n in names) and st
        return harness.wait_for(all_up, timeout, what=f"{names} up")

    def test_each_instance_is_a_service_with_its_number(self):
        self.worker(3)
        c = self.run_services()
        wait_ready(self)
        st = self.up(["worker.1", "worker.2", "worker.3"])
        self.assertNotIn("worker", st)
        pids = {st[f"worker.{k}"]["pid"] for k in (1, 2, 3)}
        self.assertEqual(len(pids), 3, "each instance has its own process")
        self.assertEqual(st["worker.2"]["instance_of"], "worker")
        self.assertEqual(st["worker.2"]["instance"], 2)
        self.assertEqual(st["worker.2"]["groups"], ["worker"])
        for k in (1, 2, 3):
            harness.wait_for(lambda: os.path.exists(self.path(f"pid-{k}")), 5,
                             what=f"pid file of {k}")
            r = ctl(self, "logs", f"worker.{k}")
            self.assertIn(f"worker {k} env {k}", r.stdout)
        # Its own restarts: only worker.2 changes.
        r = ctl(self, "restart", "worker.2")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: status(self)[0]["worker.2"]["pid"] != st["worker.2"]["pid"]
                         and status(self)[0]["worker.2"]["state"] == "up", 10,
                         what="worker.2 restarted")
        after, _ = status(self)
        self.assertEqual(after["worker.1"]["pid"], st["worker.1"]["pid"])
        self.assertEqual(after["worker.3"]["pid"], st["worker.3"]["pid"])
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_scale_adds_instances_and_removes_the_highest_first(self):
        self.worker(2)
        c = self.run_services()
        wait_ready(self)
        self.up(["worker.1", "worker.2"])
        r, objs = ctl_json(self, "scale", "worker", "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        res = objs[0]["result"]
        self.assertEqual(res["added"], ["worker.3", "worker.4"])
        self.assertEqual(res["removed"], [])
        st = self.up(["worker.1", "worker.2", "worker.3", "worker.4"])
        # Down to one: worker.4, then worker.3, then worker.2, each once the
        # one above it is gone.
        r, objs = ctl_json(self, "scale", "worker", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(objs[0]["result"]["removed"]),
                         ["worker.2", "worker.3", "worker.4"])
        # Removed instances leave status at once and stop in the background.
        self.assertEqual(set(status(self)[0]), {"worker.1"})
        harness.wait_for(lambda: "worker.2: stopped" in c.stderr(), 15, what="worker.2 stopped")
        err = c.stderr()
        order = [lines_with(err, f"worker.{k}: stopping")[0] for k in (4, 3, 2)]
        done = [lines_with(err, f"worker.{k}: stopped")[0] for k in (4, 3, 2)]
        self.assertLess(done[0], order[1], "worker.3 stops after worker.4 is down")
        self.assertLess(done[1], order[2], "worker.2 stops after worker.3 is down")
        self.assertEqual(status(self)[0]["worker.1"]["pid"], st["worker.1"]["pid"],
                         "the instance kept keeps its process")
        # Errors: not a file with instances, a name that does not exist.
        self.service("web", "command: [sleep, '1000']\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        r = ctl(self, "scale", "web", "2")
        self.assertEqual(r.returncode, 1)
        self.assertIn("web has no instances: key in its file", r.stderr)
        r = ctl(self, "scale", "nope", "2")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no service file named 'nope' with instances:", r.stderr)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_reload_keeps_a_scale_and_applies_a_changed_count(self):
        self.worker(2)
        c = self.run_services()
        wait_ready(self)
        self.up(["worker.1", "worker.2"])
        self.assertEqual(ctl(self, "scale", "worker", "3").returncode, 0)
        self.up(["worker.3"])
        # A reload with the file unchanged keeps the scaled count.
        r, objs = ctl_json(self, "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(objs[0]["result"]["removed"], [])
        self.assertIn("worker.3", status(self)[0])
        # The file's count changed: it wins, the way a scale would apply it.
        self.worker(5)
        r, objs = ctl_json(self, "reload", "--dry-run")
        self.assertEqual(objs[0]["result"]["added"], ["worker.4", "worker.5"])
        self.assertIn("worker.5", ctl(self, "reload").stdout)
        self.up([f"worker.{k}" for k in range(1, 6)])
        self.worker(1)
        r, objs = ctl_json(self, "reload")
        self.assertEqual(sorted(objs[0]["result"]["removed"]),
                         [f"worker.{k}" for k in range(2, 6)])
        self.assertEqual(set(status(self)[0]), {"worker.1"})
        harness.wait_for(lambda: len(lines_with(c.stderr(), "worker.2: stopped")) == 1, 20,
                         what="worker.2 stopped")
        err = c.stderr()
        stops = [lines_with(err, f"worker.{k}: stopping")[-1] for k in (5, 4, 3, 2)]
        self.assertEqual(stops, sorted(stops), "the highest number stops first")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_scaled_down_and_up_again_while_stopping_each_runs_once(self):
        # Instances that take half a second to stop: scaled down to one and
        # back to three before they are gone, each instance ends with one
        # process, and never runs two side by side.
        log = self.path("runs")
        self.service("worker", "command: \"trap 'sleep 0.5; echo end ${CORRAL_INSTANCE} >> "
                               f"{log}; exit 0' TERM; echo start ${{CORRAL_INSTANCE}} >> {log}; "
                               "sleep 1000 & wait\"\ninstances: 3\nstop_timeout: 5s\n")
        c = self.run_services()
        wait_ready(self)
        st = self.up(["worker.1", "worker.2", "worker.3"])
        harness.wait_for(lambda: len(harness.read(log).splitlines()) == 3, 10, what="3 starts")
        self.assertEqual(ctl(self, "scale", "worker", "1").returncode, 0)
        harness.wait_for(lambda: "worker.3: stopping" in c.stderr(), 10, what="worker.3 stopping")
        self.assertEqual(ctl(self, "scale", "worker", "3").returncode, 0)
        st2 = self.up(["worker.1", "worker.2", "worker.3"], timeout=20)

        def settled():
            sleeps = [p for p in c.ns_pids()
                      if harness.read(f"/proc/{p}/cmdline").split("\0")[:2] == ["sleep", "1000"]]
            return len(sleeps) == 3 and "stopping" not in str(status(self)[0]) and sleeps
        harness.wait_for(settled, 20, what="three sleeps, nothing stopping")
        st2, _ = status(self)
        self.assertEqual({n: s["state"] for n, s in st2.items()},
                         {f"worker.{k}": "up" for k in (1, 2, 3)})
        # worker.1 kept its process; worker.2 was taken back before its
        # stop began, or stopped and started again; worker.3 started again
        # once its first run had ended: one run of each at a time.
        self.assertEqual(st2["worker.1"]["pid"], st["worker.1"]["pid"])
        runs = harness.read(log).splitlines()
        of = {k: [l.split()[0] for l in runs if l.split()[1] == k] for k in "123"}
        self.assertEqual(of["1"], ["start"], runs)
        self.assertIn(of["2"], (["start"], ["start", "end", "start"]), runs)
        self.assertEqual(of["3"], ["start", "end", "start"], runs)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_dependency_on_the_file_waits_for_every_instance(self):
        self.service("worker", f'command: "while [ ! -e {self.tmp}/ready-${{CORRAL_INSTANCE}} ]; '
                               'do sleep 0.05; done; echo ready; exec sleep 1000"\n'
                               "instances: 2\nreadiness: {log: ready}\n")
        self.service("web", "command: [sleep, '1000']\ndepends_on: [worker]\n")
        c = self.run_services()
        wait_ready(self)
        open(self.path("ready-1"), "w").close()
        harness.wait_for(lambda: status(self)[0]["worker.1"]["state"] == "up", 10,
                         what="worker.1 ready")
        st, _ = status(self)
        self.assertEqual(st["web"]["state"], "waiting")
        self.assertIn("worker.2", st["web"]["reason"])
        open(self.path("ready-2"), "w").close()
        self.up(["web"])
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_file_named_like_an_instance_refuses_the_start(self):
        self.worker(2)
        self.service("worker.2", "command: [sleep, '1000']\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 1)
        self.assertIn("worker.yaml:2:12: instances: the instances of worker are named "
                      "worker.1 .. worker.2, and worker.2 is a service of its own", c.stderr())


class Groups(svc.ServiceTest):
    def stack(self):
        # nginx depends on php (both in web); db is in no group. nginx takes
        # a while to stop, so that php's stop visibly waits for it.
        self.service("php", f'command: "trap \'echo usr1 >> {self.tmp}/usr1-php\' USR1; '
                            'echo armed; while :; do sleep 0.05; done"\ngroups: [web]\n')
        self.service("nginx", f'command: "trap \'echo usr1 >> {self.tmp}/usr1-nginx\' USR1; '
                              "trap 'sleep 0.5; exit 0' TERM; echo armed; "
                              "while :; do sleep 0.05; done\"\n"
                              "depends_on: [php]\ngroups: [web, edge]\n")
        self.service("db", "command: [sleep, '1000']\n")

    def test_stop_start_and_restart_of_a_group_follow_dependencies(self):
        self.stack()
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: all(s["state"] == "up" for s in status(self)[0].values()), 10,
                         what="all up")
        db = status(self)[0]["db"]["pid"]
        r = ctl(self, "stop", "@web")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: status(self)[0]["php"]["state"] == "stopped", 10,
                         what="php stopped")
        err = c.stderr()
        self.assertLess(lines_with(err, "nginx: stopped")[0], lines_with(err, "php: stopping")[0],
                        "php gets its stop once nginx is down")
        st, _ = status(self)
        self.assertEqual(st["db"]["state"], "up")
        self.assertEqual(st["db"]["pid"], db, "a service outside the group is untouched")
        self.assertEqual(ctl(self, "start", "@web").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["nginx"]["state"] == "up", 10, what="nginx up")
        err = c.stderr()
        self.assertLess(lines_with(err, "php: up")[-1], lines_with(err, "nginx: up")[-1])
        mark = len(c.stderr().splitlines())
        self.assertEqual(ctl(self, "restart", "@web").returncode, 0)
        harness.wait_for(lambda: len(lines_with(c.stderr(), "nginx: up")) == 3, 10,
                         what="nginx up again")
        tail = "\n".join(c.stderr().splitlines()[mark:])
        order = [lines_with(tail, w)[0] for w in
                 ("nginx: stopping", "nginx: stopped", "php: stopping", "php: up", "nginx: up")]
        self.assertEqual(order, sorted(order), tail)
        self.assertEqual(status(self)[0]["db"]["pid"], db)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_signal_and_status_of_a_group(self):
        self.stack()
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: all(s["state"] == "up" for s in status(self)[0].values()), 10,
                         what="all up")
        r, objs = ctl_json(self, "status", "@web")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([s["name"] for s in objs[0]["result"]["services"]], ["php", "nginx"])
        r, objs = ctl_json(self, "status", "@edge", "db")
        self.assertEqual([s["name"] for s in objs[0]["result"]["services"]], ["nginx", "db"])
        self.assertEqual(objs[0]["result"]["services"][0]["groups"], ["web", "edge"])
        self.assertNotIn("groups", objs[0]["result"]["services"][1])
        self.wait_said(c, "php", "armed")
        self.wait_said(c, "nginx", "armed")
        r = ctl(self, "signal", "USR1", "@web")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: os.path.exists(self.path("usr1-php")) and
                         os.path.exists(self.path("usr1-nginx")), 5, what="USR1 to both")
        r = ctl(self, "status", "@nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no group named 'nope'", r.stderr)
        r = ctl(self, "pid", "@web")
        self.assertEqual(r.returncode, 1)
        self.assertIn("pid takes service names, not a group (@web)", r.stderr)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_the_instances_of_a_file_are_a_group(self):
        self.service("worker", "command: [sleep, '1000']\ninstances: 3\n")
        self.service("db", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: len(status(self)[0]) == 4 and
                         all(s["state"] == "up" for s in status(self)[0].values()), 10,
                         what="all up")
        r, objs = ctl_json(self, "stop", "@worker")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: all(status(self)[0][f"worker.{k}"]["state"] == "stopped"
                                     for k in (1, 2, 3)), 10, what="workers stopped")
        self.assertEqual(status(self)[0]["db"]["state"], "up")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)


if __name__ == "__main__":
    harness.main()
