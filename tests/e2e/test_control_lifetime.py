"""PID 1 survives its own control plane: reloads that swap the set under
records that are still stopping, followers and waiters whose service goes
away, wait clients hanging up with a timer armed, names repeated in a
request, and several streams asked for on one connection. Each case once
killed corral; each checks that corral is alive and still answers."""

import json
import os
import signal
import socket
import subprocess
import time

import harness
import svc
from ctl import ctl, ctl_json, status, wait_ready

LONG = "command: [sleep, '1000']\n"
# Stops slowly: a restart across a reload is still pending when the set is swapped.
SLOW_STOP = ("command: \"trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.05; done\"\n")


class Client:
    """A raw connection to corral's socket, for what corralctl does one at a
    time (several requests on one connection, a hang-up at a chosen moment)."""

    def __init__(self, test):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(os.path.join(test.tmp, "corral.sock"))
        self.buf = b""
        test.addCleanup(self.close)

    def send(self, **req):
        req.setdefault("v", 1)
        self.sock.sendall(json.dumps(req).encode() + b"\n")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("corral closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def read_until(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.read()
            if pred(m):
                return m
        raise AssertionError("no such message in time")

    def close(self):
        self.sock.close()


class Lifetime(svc.ServiceTest):
    def alive(self, c):
        self.assertIsNone(c.proc.poll(), "corral died: " + c.stderr()[-2000:])
        r = ctl(self, "status")
        self.assertEqual(r.returncode, 0, r.stderr)

    def up(self, *names):
        harness.wait_for(lambda: all(status(self)[0].get(n, {}).get("state") == "up"
                                     for n in names), 15, what=f"{names} up")

    def test_a_reload_that_removes_dependents_while_a_restart_is_pending_keeps_pid1(self):
        self.service("a", SLOW_STOP)
        for n in ("b", "c"):
            self.service(n, LONG)
        self.service("z", LONG + "depends_on: [a]\n")
        c = self.run_services()
        wait_ready(self)
        self.up("a", "b", "c", "z")
        for n in ("b", "c", "z"):
            os.unlink(os.path.join(self.dir, n + ".yaml"))
        self.service("a", SLOW_STOP.replace("0.05", "0.06"))
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.wait_for(lambda: set(status(self)[0]) == {"a"}, 10, what="only a listed")
        self.up("a")
        self.alive(c)

    def test_a_retiring_dependent_still_running_is_stopped_before_its_dependency(self):
        # z depends on a; a reload removes z, and shutdown follows at once:
        # a must not get its stop signal while z (retiring, slow to stop) runs.
        log = self.path("order")
        self.service("a", f"command: \"trap 'echo a >> {log}; exit 0' TERM; "
                          "echo armed; while :; do sleep 0.05; done\"\n")
        self.service("z", f"command: \"trap 'sleep 0.5; echo z >> {log}; exit 0' TERM; "
                          "echo armed; while :; do sleep 0.05; done\"\ndepends_on: [a]\n")
        c = self.run_services()
        wait_ready(self)
        self.wait_said(c, "a", "armed")
        self.wait_said(c, "z", "armed")
        os.unlink(os.path.join(self.dir, "z.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(15), 0)
        self.assertEqual(harness.read(log).split(), ["z", "a"])

    def test_a_follower_of_a_service_that_a_reload_removes_is_told_and_pid1_lives(self):
        self.service("talker", "command: \"while :; do echo tick; sleep 0.05; done\"\n")
        self.service("other", LONG)
        c = self.run_services()
        wait_ready(self)
        self.up("talker")
        f = Client(self)
        f.send(id=1, cmd="logs", names=["talker"], lines=0, follow=True)
        self.assertTrue(f.read()["ok"])
        f.read_until(lambda m: "stream" in m)
        os.unlink(os.path.join(self.dir, "talker.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        end = f.read_until(lambda m: m.get("ok") is False)
        self.assertEqual(end["id"], 1)
        self.assertIn("talker", end["error"]["message"])
        # The connection stays usable; hanging up afterwards is harmless.
        f.send(id=2, cmd="version")
        self.assertTrue(f.read_until(lambda m: m.get("id") == 2)["ok"])
        f.close()
        time.sleep(0.2)
        self.alive(c)

    def test_corralctl_logs_follow_ends_when_its_service_is_removed(self):
        self.service("talker", "command: \"while :; do echo tick; sleep 0.05; done\"\n")
        self.service("other", LONG)
        c = self.run_services()
        wait_ready(self)
        self.up("talker")
        env = dict(os.environ, CORRAL_SOCKET=os.path.join(self.tmp, "corral.sock"))
        p = subprocess.Popen([harness.CORRALCTL, "logs", "-f", "talker"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        harness.wait_for(lambda: "tick" in p.stdout.readline(), 10, what="a followed line")
        os.unlink(os.path.join(self.dir, "talker.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        self.assertEqual(p.wait(10), 1)
        self.assertIn("talker", p.stderr.read())
        self.alive(c)

    def test_wait_clients_with_a_timeout_hang_up_without_harm(self):
        self.service("web", LONG)
        self.service("never", "command: [sleep, '1000']\nreadiness: {tcp: '127.0.0.1:1'}\n")
        c = self.run_services()
        wait_ready(self)
        self.up("web")
        # Many at once, closing together: each client's timer is still closing
        # when its connection's close callback runs.
        clients = []
        for i in range(20):
            cl = Client(self)
            cl.send(id=i, cmd="wait", names=["never"], timeout_ms=60000)
            clients.append(cl)
        time.sleep(0.2)
        for cl in clients:
            cl.close()
        for i in range(10):
            r = ctl(self, "wait", "--timeout", "50ms", "never")
            self.assertEqual(r.returncode, 3, r.stderr)
        timed = Client(self)
        timed.send(id=1, cmd="wait", names=["never"], timeout_ms=50)
        self.assertEqual(timed.read()["error"]["code"], "timeout")
        timed.close()
        time.sleep(0.2)
        self.alive(c)

    def test_a_name_repeated_in_a_request_is_answered_once(self):
        self.service("web", LONG)
        self.service("db", LONG)
        c = self.run_services()
        wait_ready(self)
        self.up("web", "db")
        names = ["web"] * 300
        r, objs = ctl_json(self, "status", *names)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([s["name"] for s in objs[0]["result"]["services"]], ["web"])
        for cmd in (["signal", "CONT"], ["restart"], ["stop"], ["start"]):
            r = ctl(self, *cmd, *names, "db", "db")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.alive(c)
        self.assertEqual(ctl(self, "wait", "--timeout", "10s", *names).returncode, 0)
        self.up("web", "db")
        self.alive(c)

    def test_a_second_stream_on_one_connection_is_refused(self):
        self.service("a", "command: \"while :; do echo a; sleep 0.05; done\"\n")
        self.service("b", "command: \"while :; do echo b; sleep 0.05; done\"\n")
        c = self.run_services()
        wait_ready(self)
        self.up("a", "b")
        for second in ({"cmd": "logs", "names": ["a"], "follow": True},
                       {"cmd": "logs", "names": ["b"], "follow": True},
                       {"cmd": "events"}):
            cl = Client(self)
            cl.send(id=1, cmd="logs", names=["a"], lines=0, follow=True)
            self.assertTrue(cl.read()["ok"])
            cl.send(id=2, **second)
            err = cl.read_until(lambda m: m.get("id") == 2 and "stream" not in m)
            self.assertFalse(err["ok"])
            self.assertEqual(err["error"]["code"], "bad_request")
            # The first stream goes on.
            cl.read_until(lambda m: m.get("id") == 1 and "stream" in m)
            cl.close()
            time.sleep(0.1)
            self.alive(c)
        # A plain logs request (no follow) on a streaming connection is fine.
        cl = Client(self)
        cl.send(id=1, cmd="events")
        self.assertTrue(cl.read()["ok"])
        cl.send(id=2, cmd="logs", names=["a"], lines=1)
        self.assertTrue(cl.read_until(lambda m: m.get("id") == 2 and "stream" not in m)["ok"])
        cl.close()
        self.alive(c)


if __name__ == "__main__":
    harness.main()
