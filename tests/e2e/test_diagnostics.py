"""The incidents made visible (docs/diagnosing.md): under a real pids cgroup
a leaking service crosses 80% and 95% and the warnings name it, with the
budget in status and metrics, and fork failures counted with the budget at
that moment; a service that forks and never waits is named with its zombie
count and the parent that does not wait; orphans are attributed to the
service whose tree made them; the metrics text parses (strict parser,
promparse.py) over the control socket and over HTTP; events streams the
warnings; top prints its table."""

import json
import os
import re
import select
import socket
import subprocess
import time

import harness
import promparse
import svc
from ctl import ctl, ctl_json, status, wait_ready

# Forks sleeping children in steps: each step waits for a file naming how
# many children there should be, then makes one short-lived orphan so that
# corral hears of it (a reap is an event); "free" kills them all.
LEAKER = r'''
import os, sys, time, signal
d = sys.argv[1]
kids = []
def orphan():
    if os.fork() == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    os.wait()
step = 0
while True:
    p = os.path.join(d, "want.%d" % step)
    if not os.path.exists(p):
        time.sleep(0.02)
        continue
    want = open(p).read().strip()
    if want == "free":
        for k in kids:
            os.kill(k, signal.SIGKILL)
        for k in kids:
            os.waitpid(k, 0)
        kids = []
    else:
        while len(kids) < int(want):
            try:
                k = os.fork()
            except OSError:
                break
            if k == 0:
                time.sleep(3600)
                os._exit(0)
            kids.append(k)
    try:
        orphan()
    except OSError:
        pass
    tmp = os.path.join(d, "done.tmp")
    with open(tmp, "w") as f:
        f.write(str(len(kids)))
    os.rename(tmp, os.path.join(d, "done.%d" % step))   # whole, or not yet
    step += 1
'''

# Forks N children that exit at once and never waits for them.
ZOMBIES = r'''
import os, sys, time
# argv: how many, the file to write once they are zombies, and (optional) a
# file to wait for before forking.
while len(sys.argv) > 3 and not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
kids = []
for i in range(int(sys.argv[1])):
    k = os.fork()
    if k == 0:
        os._exit(0)
    kids.append(k)
def zombie(k):
    try:
        return open("/proc/%d/stat" % k).read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
while not all(zombie(k) for k in kids):
    time.sleep(0.01)
open(sys.argv[2], "w").write("forked")
time.sleep(3600)
'''

# Makes N orphans (double fork), then sleeps.
ORPHANS = r'''
import os, sys, time
for i in range(int(sys.argv[1])):
    if os.fork() == 0:
        if os.fork() == 0:
            time.sleep(0.05)
            os._exit(0)
        os._exit(0)
    os.wait()
time.sleep(3600)
'''


class Diagnostics(svc.ServiceTest):
    def test_zombies_inside_a_service_tree_are_named_with_the_parent(self):
        flag = self.path("forked")
        z = self.script("zombies.py", ZOMBIES)
        self.service("zabbix", f"command: [{harness.PY!r}, {z!r}, '40', {flag!r}]\n")
        self.service("quiet", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        self.wait_file("forked")
        svcs, me = status(self)
        pid = svcs["zabbix"]["pid"]
        self.assertEqual(svcs["zabbix"]["zombies"], 40)
        self.assertEqual(svcs["zabbix"]["procs"], 41)
        self.assertEqual(svcs["zabbix"]["zombie_parent"],
                         {"pid": pid, "comm": "python3", "zombies": 40})
        self.assertEqual(svcs["quiet"]["zombies"], 0)
        self.assertEqual(svcs["quiet"]["procs"], 1)
        # Said at the first look that sees 16 or more: a look made while
        # the children were still exiting (wait_ready's) may have seen 38.
        said = re.compile(rf"zabbix: (\d+) zombie children of pid {pid} \(python3\), "
                          "not waited for")
        harness.wait_for(lambda: said.search(c.stderr()), 5, what="the zombie warning")
        first = int(said.search(c.stderr()).group(1))
        self.assertIn(first, range(16, 41))
        # Not at every look: again only once the count has doubled, so a
        # first warning at 16-20 is followed by one at 40, and one at 21-40
        # by none.
        want = 1 if 2 * first > 40 else 2
        ctl(self, "status")
        # (within the watch of a service with zombies: 10 s)
        harness.wait_for(lambda: c.stderr().count("zombie children of") >= want, 15,
                         what=f"{want} zombie warnings")
        ctl(self, "status")
        self.assertEqual(c.stderr().count("zombie children of"), want)
        out = ctl(self, "status").stdout
        self.assertRegex(out, r"NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+PROCS\s+ZOMBIES")
        self.assertRegex(out, r"zabbix\s+up\s+\d+\s+\S+\s+0\s+41\s+40")
        self.assertIn(f"zabbix: 40 zombie children of pid {pid} (python3), not waited for", out)

    def test_orphans_are_attributed_to_the_service_that_made_them(self):
        o = self.script("orphans.py", ORPHANS)
        self.service("a", f"command: [{harness.PY!r}, {o!r}, '3']\n")
        self.service("b", f"command: [{harness.PY!r}, {o!r}, '7']\n")
        self.service("c", "command: [sleep, '1000']\n")
        self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[1]["orphans_reaped"] == 10, 10,
                         what="10 orphans reaped")
        svcs, me = status(self)
        self.assertEqual({n: s["orphans_reaped"] for n, s in svcs.items()},
                         {"a": 3, "b": 7, "c": 0})
        self.assertEqual(me["orphans_unattributed"], 0)
        fams = promparse.parse(ctl(self, "metrics").stdout)
        self.assertEqual(promparse.value(fams, "corral_service_orphans_reaped_total",
                                         service="b"), 7)

    def test_metrics_parse_and_agree_with_status(self):
        flag = self.path("forked")
        z = self.script("zombies.py", ZOMBIES)
        self.service("web", f"command: [{harness.PY!r}, {z!r}, '5', {flag!r}]\n")
        self.service("job", "type: oneshot\ncommand: [sh, -c, 'exit 3']\nrestart: never\n")
        self.run_services()
        wait_ready(self)
        self.wait_file("forked")
        harness.wait_for(lambda: status(self)[0]["job"]["state"] == "failed", 10,
                         what="job failed")
        r = ctl(self, "metrics")
        self.assertEqual(r.returncode, 0, r.stderr)
        fams = promparse.parse(r.stdout)
        for name, fam in fams.items():
            self.assertTrue(name.startswith("corral_"), name)
            self.assertIsNotNone(fam["help"], name)
            self.assertIn(fam["type"], ("gauge", "counter"), name)
            if fam["type"] == "counter":
                self.assertTrue(name.endswith("_total"), name)
        v = lambda name, **l: promparse.value(fams, name, **l)
        self.assertEqual(v("corral_services", state="up"), 1)
        self.assertEqual(v("corral_services", state="failed"), 1)
        self.assertEqual(v("corral_service_state", service="job", state="failed"), 1)
        self.assertEqual(v("corral_service_last_exit_code", service="job"), 3)
        self.assertIsNone(v("corral_service_last_exit_code", service="web"))
        self.assertEqual(v("corral_service_zombies", service="web"), 5)
        self.assertEqual(v("corral_service_processes", service="web"), 6)
        self.assertEqual(v("corral_service_fork_failures_total", service="web"), 0)
        self.assertEqual(v("corral_control_clients"), 1)
        r, objs = ctl_json(self, "metrics")
        self.assertEqual(objs[0]["result"]["text"].splitlines()[0],
                         "# HELP corral_services Services in each state.")

    def test_metrics_over_http_get_only_bounded(self):
        port = harness.free_port()
        conf = self.write_conf(f"metrics:\n  listen: \"127.0.0.1:{port}\"\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--config", conf])
        wait_ready(self)
        self.assertIn(f"metrics: serving http://127.0.0.1:{port}/metrics", c.stderr())
        # A silent client holds one slot, never the loop.
        silent = socket.create_connection(("127.0.0.1", port))
        head, body = harness.http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200 OK"), head)
        self.assertIn("Content-Type: text/plain; version=0.0.4; charset=utf-8", head)
        self.assertIn(f"Content-Length: {len(body.encode())}", head)
        fams = promparse.parse(body)
        self.assertEqual(promparse.value(fams, "corral_service_state", service="web",
                                         state="up"), 1)
        head, _ = harness.http(port, b"GET /metrics?x=1 HTTP/1.0\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)
        head, _ = harness.http(port, b"GET / HTTP/1.1\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 404"), head)
        head, _ = harness.http(port, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 405"), head)
        self.assertIn("Allow: GET", head)
        head, _ = harness.http(port, b"hello\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 400"), head)
        # A request head past 4 KiB is refused (the reply may be lost to the
        # reset that closing on unread bytes sends); corral goes on serving.
        try:
            head, _ = harness.http(port, b"GET /" + b"a" * 5000)
            self.assertTrue(head.startswith("HTTP/1.1 431"), head)
        except ConnectionResetError:
            pass
        head, _ = harness.http(port, b"GET /metrics HTTP/1.1\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)
        self.assertEqual(ctl(self, "status").returncode, 0)
        silent.close()
        # A reload keeps the endpoint where it is and says so when it moved.
        self.assertEqual(ctl(self, "reload").returncode, 0)
        self.assertNotIn("`metrics` changed", c.stderr())
        self.write_conf(f"metrics:\n  listen: \"127.0.0.1:{harness.free_port()}\"\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: "reload: corral.yaml: `metrics` changed; it takes effect when "
                                 "corral starts again" in c.stderr(), 5, what="the reload warning")
        head, _ = harness.http(port, b"GET /metrics HTTP/1.1\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)

    def test_a_bad_metrics_listen_is_refused_before_anything_starts(self):
        conf = self.write_conf("metrics:\n  listen: \"example.com:80\"\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--config", conf])
        self.assertNotEqual(c.wait(), 0)
        self.assertIn("corral.yaml:2:11: metrics.listen: expected \"host:port\"", c.stderr())

    def test_events_stream_the_warnings(self):
        flag, go = self.path("forked"), self.path("go")
        z = self.script("zombies.py", ZOMBIES)
        self.service("hoarder", f"command: [{harness.PY!r}, {z!r}, '20', {flag!r}, {go!r}]\n")
        self.run_services()
        wait_ready(self)
        env = dict(os.environ, CORRAL_SOCKET=self.path("corral.sock"))
        # Unbuffered, so that select sees every line not yet read.
        ev = subprocess.Popen([harness.CORRALCTL, "--json", "events"], env=env,
                              stdout=subprocess.PIPE, bufsize=0)
        self.addCleanup(ev.kill)
        ev.stdout.readline()  # the ok reply
        # The zombies come only now: no look before could have said it already.
        open(go, "w").close()
        self.wait_file("forked")
        ctl(self, "status")  # a look counts the zombies
        deadline = time.monotonic() + 10
        item = {}
        while time.monotonic() < deadline:
            # Bounded: a missing warning fails the test instead of hanging it.
            if not select.select([ev.stdout], [], [], max(0, deadline - time.monotonic()))[0]:
                break
            item = json.loads(ev.stdout.readline())["stream"]
            if "warning" in item:
                break
        self.assertEqual(item["warning"], "zombies")
        self.assertEqual(item["service"], "hoarder")
        self.assertRegex(item["text"], r"^hoarder: 20 zombie children of pid \d+ \(python3\), "
                                       r"not waited for$")

    def test_top_prints_a_table_and_json_once_without_a_terminal(self):
        self.service("web", "command: [sleep, '1000']\n")
        self.run_services()
        wait_ready(self)
        r = ctl(self, "top")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^NAME\s+PID\s+STATE\s+PROCS\s+ZOMBIES\s+CPU%\s+RSS\s+FDS\s+"
                                   r"RESTARTS\s+UPTIME$")
        self.assertRegex(lines[1], r"^web\s+\d+\s+up\s+1\s+0\s+\d+\.\d\s+\d+[KMG]\s+\d+\s+0\s+")
        self.assertRegex(lines[2], r"^corral: pid 1, CPU \d+\.\d%, RSS \d+[KMG], fds \d+; ")
        r, objs = ctl_json(self, "top")
        self.assertEqual(len(objs), 1)
        web = objs[0]["services"][0]
        self.assertEqual((web["name"], web["procs"], web["zombies"]), ("web", 1, 0))
        self.assertGreater(web["rss_kib"], 0)
        self.assertGreaterEqual(web["fds"], 3)
        self.assertIn("cpu_percent", web)


class Budget(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.cg = harness.pids_cgroup()
        if not self.cg:
            self.skipTest("no writable pids cgroup (v1 or v2) here")
        self.addCleanup(harness.remove_cgroup, self.cg)

    def wrapper(self):
        return ["sh", "-c", f'echo $$ > {self.cg}/cgroup.procs && exec "$@"', "wrap"]

    def step(self, n, want):
        with open(self.path("want.tmp"), "w") as f:
            f.write(str(want))
        os.rename(self.path("want.tmp"), self.path(f"want.{n}"))
        self.wait_file(f"done.{n}", 20)
        return int(harness.read(self.path(f"done.{n}")))

    def test_a_leak_is_named_at_80_and_95_percent_and_when_it_falls_back(self):
        with open(self.cg + "/pids.max", "w") as f:
            f.write("100")
        leaker = self.script("leaker.py", LEAKER)
        self.service("worker", f"command: [{harness.PY!r}, {leaker!r}, {self.tmp!r}]\n")
        self.service("quiet", "command: [sleep, '1000']\n")
        c = self.run_services(wrapper=self.wrapper())
        wait_ready(self)
        base = int(harness.read(self.cg + "/pids.current"))
        # Up to 85 in all: the 80% line, naming worker and what its tree holds.
        self.step(0, 85 - base)
        pat80 = r"pids (8\d)/100 \((8\d)%\): worker holds (\d+) processes"
        m = harness.wait_for(lambda: re.search(pat80, c.stderr()), 5, what="the 80% warning")
        self.assertEqual(m.group(1), m.group(2))
        self.assertGreaterEqual(int(m.group(3)), 85 - base)
        r, objs = ctl_json(self, "status")
        budget = objs[0]["result"]["budget"]
        self.assertEqual(budget["max"], 100)
        self.assertEqual(budget["level"], "high")
        self.assertEqual(budget["cgroup"], "v2" if os.path.exists(
            "/sys/fs/cgroup/cgroup.controllers") else "v1")
        self.assertRegex(ctl(self, "status").stdout,
                         r"budget: pids 8\d/100 \(8\d%, high\); cgroup v[12]")
        fams = promparse.parse(ctl(self, "metrics").stdout)
        self.assertEqual(promparse.value(fams, "corral_pids_max"), 100)
        self.assertGreaterEqual(promparse.value(fams, "corral_pids_current"), 80)
        # Past 95%: the second line (the orphan that tells corral still fits).
        self.step(1, 97 - base)
        harness.wait_for(lambda: re.search(r"pids 9[5-8]/100 \(9[5-8]%\): worker "
                                           r"holds \d+ processes", c.stderr()), 5,
                         what="the 95% warning")
        # To the wall: a fork that fails now is counted with the budget of
        # that moment.
        ctl(self, "stop", "quiet")
        harness.wait_for(lambda: status(self)[0]["quiet"]["state"] == "stopped", 10,
                         what="quiet stopped")
        self.step(2, 100)
        ctl(self, "start", "quiet")
        harness.wait_for(lambda: status(self)[0]["quiet"]["fork_failures"] >= 1, 10,
                         what="a failed fork of quiet")
        q = status(self)[0]["quiet"]
        self.assertEqual(q["fork_failure_pids"]["max"], 100)
        self.assertGreaterEqual(q["fork_failure_pids"]["current"], 98)
        self.assertRegex(ctl(self, "status").stdout,
                         r"quiet: \d+ failed forks \(the last at pids \d+/100\)")
        # Freed: back below, said once each.
        self.step(3, "free")
        harness.wait_for(lambda: "back below 80%" in c.stderr(), 15, what="back below 80%")
        err = c.stderr()
        self.assertEqual(len(re.findall(pat80, err)), 1, err)
        self.assertEqual(err.count("back below 80%"), 1)
        harness.wait_for(lambda: status(self)[0]["quiet"]["state"] == "up", 15,
                         what="quiet up again")

    def test_without_pressure_there_is_no_warning_and_status_shows_the_budget(self):
        with open(self.cg + "/pids.max", "w") as f:
            f.write("1000")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services(wrapper=self.wrapper())
        wait_ready(self)
        r, objs = ctl_json(self, "status")
        b = objs[0]["result"]["budget"]
        self.assertEqual((b["max"], b["level"]), (1000, "ok"))
        self.assertLess(b["current"], 20)
        self.assertNotIn("pids ", c.stderr())


if __name__ == "__main__":
    harness.main()
