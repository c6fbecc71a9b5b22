"""The control socket through the real corralctl: every command against a
real corral, docker-exec-style discovery, access control, misbehaving
clients that never block the loop, live reload, and status under a full
PID budget."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import harness
import svc
from ctl import ctl, ctl_json, status, wait_ready

LONG = "command: [sleep, '1000']\n"


def kill(pid):
    """SIGKILLs pid unless it is gone already."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Commands(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(harness.CORRALCTL):
            self.fail(f"corralctl not found at {harness.CORRALCTL}")

    def up(self, *names):
        wait_ready(self)
        harness.wait_for(lambda: all(status(self)[0][n]["state"] == "up" for n in names), 10,
                         what=f"{names} up")

    def test_status_shows_services_and_corral(self):
        self.service("web", LONG)
        self.service("once", "type: oneshot\ncommand: 'exit 0'\n")
        c = self.run_services()
        self.up("web")
        svcs, me = status(self)
        self.assertEqual(svcs["web"]["state"], "up")
        self.assertGreater(svcs["web"]["pid"], 1)
        harness.wait_for(lambda: status(self)[0]["once"]["state"] == "done")
        self.assertEqual(status(self)[0]["once"]["last_exit"]["code"], 0)
        self.assertEqual(me["pid"], 1)
        self.assertIn("orphans_reaped", me)
        r = ctl(self, "status")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"web\s+up\s+\d+")
        r = ctl(self, "status", "wbe")
        self.assertEqual(r.returncode, 1)
        self.assertIn("did you mean 'web'", r.stdout + r.stderr)

    def test_stop_start_restart_and_pid(self):
        self.service("web", LONG)
        self.service("other", LONG)
        c = self.run_services()
        self.up("web", "other")
        pid1 = int(ctl(self, "pid", "web").stdout)
        self.assertEqual(ctl(self, "restart", "web").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "up" and
                         status(self)[0]["web"]["pid"] != pid1, 10, what="web restarted")
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "stopped")
        r = ctl(self, "pid", "web")
        self.assertEqual(r.returncode, 1)
        time.sleep(0.3)
        self.assertEqual(status(self)[0]["web"]["state"], "stopped", "a stopped service stays down")
        self.assertEqual(ctl(self, "start", "web").returncode, 0)
        self.up("web")
        # Stopping every service keeps corral up: they were stopped on purpose.
        self.assertEqual(ctl(self, "stop", "all").returncode, 0)
        time.sleep(0.5)
        self.assertIsNone(c.proc.poll())
        self.assertEqual(ctl(self, "shutdown").returncode, 0)
        self.assertEqual(c.wait(), 0)

    def test_signal_wait_health_and_version(self):
        self.service("trap", "command: \"trap 'echo got-usr1 > " + self.path("usr1") +
                     "' USR1; echo trapping; while :; do sleep 0.05; done\"\n")
        # slow completes only when the test says so: late is not up before.
        gate = self.path("gate")
        self.service("slow", "type: oneshot\n"
                             f"command: 'while [ ! -e {gate} ]; do sleep 0.05; done'\n")
        self.service("late", "command: [sleep, '1000']\n"
                             "depends_on: {slow: {condition: completed}}\n")
        c = self.run_services()
        wait_ready(self)
        r = ctl(self, "wait", "--timeout", "200ms", "late")
        self.assertEqual(r.returncode, 3, "wait times out with 3")
        self.assertEqual(ctl(self, "health").returncode, 3, "late is not up yet")
        open(gate, "w").close()
        r = ctl(self, "wait", "--timeout", "10s", "--for", "up", "trap", "late")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(ctl(self, "health").returncode, 0)
        self.wait_said(c, "trap", "trapping")  # up is spawned, not yet trapping USR1
        self.assertEqual(ctl(self, "signal", "USR1", "trap").returncode, 0)
        harness.wait_for(lambda: harness.read(self.path("usr1")).strip() == "got-usr1")
        r, objs = ctl_json(self, "version")
        self.assertEqual(objs[0]["result"]["protocol"], 1)

    def test_events_and_logs_follow_stream(self):
        self.service("talker", "command: \"echo first; while [ ! -e " + self.path("go") +
                     " ]; do sleep 0.05; done; echo second; exec sleep 1000\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "talker | first" in c.stdout())
        r = ctl(self, "logs", "talker")
        self.assertIn("first", r.stdout)
        env = dict(os.environ, CORRAL_SOCKET=os.path.join(self.tmp, "corral.sock"))
        follow = subprocess.Popen([harness.CORRALCTL, "logs", "-f", "talker"], env=env,
                                  stdout=subprocess.PIPE, text=True)
        events = subprocess.Popen([harness.CORRALCTL, "--json", "events"], env=env,
                                  stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: [p.kill() or p.wait() for p in (follow, events)])
        # The ok reply comes once the stream is on: every later event is in it.
        self.assertTrue(json.loads(events.stdout.readline())["ok"])
        # logs -f prints the last lines first, then follows: "second" comes
        # after "first", through the stream.
        lines = []
        harness.wait_for(lambda: lines.append(follow.stdout.readline()) or
                         any("first" in l for l in lines), 10, what="first line in history")
        self.assertFalse(any("second" in l for l in lines), lines)
        open(self.path("go"), "w").close()
        harness.wait_for(lambda: lines.append(follow.stdout.readline()) or
                         any("second" in l for l in lines), 10, what="second line followed")
        ctl(self, "restart", "talker")
        seen = []
        harness.wait_for(lambda: seen.append(json.loads(events.stdout.readline())) or
                         any(e.get("stream", {}).get("state") == "stopping" for e in seen), 10)
        item = [e for e in seen if "stream" in e][0]["stream"]
        self.assertEqual(item["service"], "talker")
        # corral going away ends the stream: corralctl says so and fails.
        events.stdout.close()
        follow.stdout.close()
        events2 = subprocess.Popen([harness.CORRALCTL, "--json", "events"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: events2.poll() is None and (events2.kill(), events2.wait()))
        self.assertTrue(json.loads(events2.stdout.readline())["ok"])  # streaming already
        self.assertEqual(ctl(self, "shutdown").returncode, 0)
        self.assertEqual(events2.wait(10), 1)
        self.assertIn("corral ended the stream", events2.stderr.read())


class DockerExec(svc.ServiceTest):
    def test_corralctl_inside_the_namespace_finds_the_socket_by_itself(self):
        self.service("web", LONG)
        # A private /run, as a container has; no --socket, no CORRAL_SOCKET.
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                'mount -t tmpfs tmpfs /run && exec "$@"', "wrap",
                harness.CORRAL, "--services", self.dir]
        env = dict(os.environ)
        env.pop("CORRAL_SOCKET", None)
        p = subprocess.Popen(wrap, env=env, stdout=subprocess.DEVNULL,
                             stderr=open(self.path("err"), "w"))
        self.addCleanup(lambda: (p.kill(), p.wait()))
        pid = harness.wait_for(lambda: next((k for k in harness.children_of(p.pid)), None), 10,
                               what=f"corral to start: {harness.read(self.path('err'))}")
        enter = ["nsenter", "-t", str(pid), "-m", "-p"]
        def st():
            return subprocess.run([*enter, harness.CORRALCTL, "status"], env=env,
                                  capture_output=True, text=True, timeout=10)
        harness.wait_for(lambda: st().returncode == 0, 10,
                         what=f"corralctl to connect (pid {pid}): {st().stderr} "
                              f"corral said: {harness.read(self.path('err'))}")
        self.assertRegex(st().stdout, r"web\s+up")
        # Outside the container's /run there is nothing to find: exit 4.
        r = subprocess.run([harness.CORRALCTL, "--socket", "/nonexistent/x.sock", "status"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 4)
        self.assertIn("/nonexistent/x.sock", r.stderr)
        os.kill(pid, signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)


    def test_root_finds_the_socket_of_a_corral_run_as_another_user(self):
        # podman exec --user 0 into a container run with --user 65534.
        os.chmod(self.tmp, 0o755)
        os.chmod(self.dir, 0o755)
        self.service("web", LONG)
        # Its own /run and /tmp, as a container has: another corral of this
        # host must not be the one found (a parallel test's, as root on
        # /run/corral/corral.sock), nor take /tmp/corral-65534 first.
        setup = harness.private_run_and_tmp(
            self.tmp, "exec setpriv --reuid=65534 --regid=65534 --clear-groups")
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", setup, "sh",
                harness.CORRAL, "--services", "/run/t/services.d"]
        env = dict(os.environ)
        env.pop("CORRAL_SOCKET", None)
        env.pop("XDG_RUNTIME_DIR", None)
        p = subprocess.Popen(wrap, env=env, stdout=subprocess.DEVNULL,
                             stderr=open(self.path("err"), "w"))
        self.addCleanup(lambda: (p.kill(), p.wait()))
        pid = harness.wait_for(lambda: next((k for k in harness.children_of(p.pid)), None), 10,
                               what="corral to start")
        self.addCleanup(kill, pid)  # PID 1: its namespace goes too
        # Until setpriv has run, PID 1 is root's shell setting up /run.
        harness.wait_for(lambda: re.search(r"^Uid:\s+65534\b", harness.read(f"/proc/{pid}/status"),
                                           re.M), 10, what="corral to run as 65534")
        enter = ["nsenter", "-t", str(pid), "-p", "-m"]
        if not harness.can_enter(pid):
            self.skipTest("cannot enter another uid's namespaces here (no CAP_SYS_PTRACE)")

        def st():
            return subprocess.run([*enter, "/run/bin/corralctl", "status"], env=env,
                                  capture_output=True, text=True, timeout=10)
        harness.wait_for(lambda: st().returncode == 0, 10,
                         what=f"root's corralctl to find it: {st().stderr} "
                              f"corral said: {harness.read(self.path('err'))}")
        self.assertRegex(st().stdout, r"web\s+up")
        self.assertTrue(os.path.exists(f"/proc/{pid}/root/tmp/corral-65534/corral.sock"))


class Access(svc.ServiceTest):
    def as_nobody(self, *args):
        return ctl(self, *args, prefix=("setpriv", "--reuid=65534", "--regid=65534",
                                        "--clear-groups"))

    def test_another_uid_in_read_group_reads_but_cannot_change(self):
        os.chmod(self.tmp, 0o755)
        cfg = self.write_conf("read_group: nogroup\n")
        self.service("web", LONG)
        c = self.run_services(args=["--config", cfg])
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "up")
        pid = status(self)[0]["web"]["pid"]
        r = self.as_nobody("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.as_nobody("stop", "web")
        self.assertEqual(r.returncode, 1)
        self.assertIn("permission", (r.stdout + r.stderr).lower())
        time.sleep(0.2)
        self.assertEqual(status(self)[0]["web"]["pid"], pid, "nothing happened")
        self.assertIn("stop: permission denied", c.stderr())

    def test_without_groups_another_uid_cannot_even_connect(self):
        os.chmod(self.tmp, 0o755)
        self.service("web", LONG)
        c = self.run_services()
        harness.wait_for(lambda: ctl(self, "status").returncode == 0)
        self.assertEqual(oct(os.stat(self.path("corral.sock")).st_mode & 0o777), "0o600")
        self.assertEqual(self.as_nobody("status").returncode, 4)

    def test_a_reload_grants_and_withdraws_read_group(self):
        os.chmod(self.tmp, 0o755)
        cfg = self.write_conf("")
        self.service("web", LONG)
        self.run_services(args=["--config", cfg])
        harness.wait_for(lambda: ctl(self, "status").returncode == 0)
        self.assertEqual(self.as_nobody("status").returncode, 4)
        self.write_conf("read_group: nogroup\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        self.assertEqual(oct(os.stat(self.path("corral.sock")).st_mode & 0o777), "0o666")
        r = self.as_nobody("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.write_conf("")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        self.assertEqual(oct(os.stat(self.path("corral.sock")).st_mode & 0o777), "0o600")
        self.assertEqual(self.as_nobody("status").returncode, 4)


class BadClients(svc.ServiceTest):
    def connect(self):
        # The socket file exists from bind(2); connections are taken from
        # listen(2), a moment later.
        def attempt():
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.path("corral.sock"))
                return s
            except ConnectionRefusedError:
                s.close()
                return None
        s = harness.wait_for(attempt, 10, what="corral listening")
        self.addCleanup(s.close)
        return s

    def ask(self, s, line):
        s.sendall(line)
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return json.loads(buf) if buf else None

    def test_bad_requests_get_errors_and_bad_clients_never_block_others(self):
        self.service("web", LONG)
        c = self.run_services()
        harness.wait_for(lambda: os.path.exists(self.path("corral.sock")))
        a = self.connect()
        self.assertEqual(self.ask(a, b"not json\n")["error"]["code"], "bad_request")
        self.assertEqual(self.ask(a, b'{"v":1,"id":3,"cmd":"frob"}\n')["error"]["code"],
                         "unknown_command")
        self.assertEqual(self.ask(a, b'{"v":1,"id":4,"cmd":"status","names":[1]}\n')
                         ["error"]["code"], "bad_request")
        self.assertEqual(self.ask(a, b'{"v":1,"id":5,"cmd":"pid","names":["nope"]}\n')
                         ["error"]["code"], "unknown_service")
        # Oversized: an error, then the connection is closed.
        big = self.connect()
        big.sendall(b'{"v":1,"cmd":"status","x":"' + b"a" * 70000)
        reply = big.recv(65536)
        self.assertIn(b"too_large", reply)
        # Half a line, a client that never reads, and silence, all at once...
        half = self.connect()
        half.sendall(b'{"v":1,"cmd":"sta')
        deaf = self.connect()
        deaf.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        deaf.settimeout(3)
        try:
            deaf.sendall(b'{"v":1,"cmd":"status"}\n' * 20000)
        except (BrokenPipeError, socket.timeout):
            pass  # corral stopped reading it, its replies unread: as it should
        silent = self.connect()
        # ... while another client is answered (a loop held by any of them
        # would leave corralctl waiting until ctl() gives up after 10 s).
        for _ in range(20):
            r = ctl(self, "status")
            self.assertEqual(r.returncode, 0)
        self.assertIsNone(c.proc.poll())


    def test_a_follower_that_falls_behind_loses_lines_counted_and_keeps_its_stream(self):
        n = 60000
        self.service("flood", f"""command: |
  while [ ! -e {self.path('go')} ]; do sleep 0.02; done
  {harness.PY} -c "import sys; w = sys.stdout.write; [w('flood line %07d %s\\n' % (i, 'x' * 80)) for i in range({n})]"
  while [ ! -e {self.path('go2')} ]; do sleep 0.02; done
  echo END
  exec sleep 1000
""")
        c = self.run_services()
        harness.wait_for(lambda: os.path.exists(self.path("corral.sock")))
        s = self.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b'{"v":1,"id":9,"cmd":"logs","names":["flood"],"lines":0,"follow":true}\n')
        f = s.makefile("rb")
        self.assertTrue(json.loads(f.readline())["ok"])
        # The service writes everything while this reader reads nothing.
        open(self.path("go"), "w").close()
        harness.wait_for(lambda: "flood line %07d" % (n - 1) in c.stdout(), 30,
                         what="the service to write every line")
        got, dropped, gaps = [], 0, 0
        s.settimeout(20)
        while True:
            item = json.loads(f.readline())
            self.assertEqual(item["id"], 9)
            item = item["stream"]
            if "dropped" in item:
                dropped += item["dropped"]
                gaps += 1
                open(self.path("go2"), "w").close()
            elif item["line"] == "END":
                break
            else:
                got.append(int(item["line"].split()[2]))
        # One gap, told in the stream: what arrived is a prefix, in order,
        # and with the count it makes every line; the stream goes on after.
        self.assertEqual(gaps, 1)
        self.assertGreater(dropped, 0)
        self.assertEqual(got, list(range(len(got))))
        self.assertEqual(len(got) + dropped, n)
        self.assertIsNone(c.proc.poll())


class Reload(svc.ServiceTest):
    def test_a_broken_file_changes_nothing_and_a_good_reload_changes_exactly_what_changed(self):
        self.service("keep", LONG)
        self.service("change", LONG)
        self.service("remove", LONG)
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: all(s["state"] == "up" for s in status(self)[0].values()))
        before = {n: s["pid"] for n, s in status(self)[0].items()}
        self.service("broken", "command: [x\n")
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("broken.yaml:", r.stdout + r.stderr)
        self.assertEqual({n: s["pid"] for n, s in status(self)[0].items()}, before)
        os.unlink(os.path.join(self.dir, "broken.yaml"))
        os.unlink(os.path.join(self.dir, "remove.yaml"))
        self.service("change", "command: [sleep, '2000']\n")
        self.service("add", LONG)
        r, objs = ctl_json(self, "reload", "--dry-run")
        plan = objs[0]["result"]
        self.assertEqual((plan["added"], plan["removed"], plan["restarted"], plan["kept"]),
                         (["add"], ["remove"], ["change"], ["keep"]))
        self.assertEqual({n: s["pid"] for n, s in status(self)[0].items()}, before)
        r, objs = ctl_json(self, "reload")
        self.assertEqual(r.returncode, 0)
        harness.wait_for(lambda: set(status(self)[0]) == {"keep", "change", "add"} and
                         all(s["state"] == "up" for s in status(self)[0].values()), 10)
        after = status(self)[0]
        self.assertEqual(after["keep"]["pid"], before["keep"])
        self.assertNotEqual(after["change"]["pid"], before["change"])
        # A removed service leaves status at once; its process, once reaped.
        harness.wait_for(lambda: before["remove"] not in
                         [harness.ns_pid_of(p) for p in c.ns_pids()], 10,
                         what="the removed service stopped")
        self.assertIn(before["keep"], [harness.ns_pid_of(p) for p in c.ns_pids()])

    def test_a_reload_applies_corral_yaml_and_refuses_a_broken_one(self):
        cfg = self.write_conf("log_level: warn\n")
        self.service("a", LONG)
        c = self.run_services(args=["--config", cfg])
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["a"]["state"] == "up")
        self.assertNotIn("a: up", c.stderr())  # an info line, quiet at warn
        # A broken corral.yaml is refused and named, with the directory's
        # errors (all of them), and changes nothing.
        self.write_conf("log_level: loud\n")
        self.service("broken", "command: [x\n")
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("corral.yaml:1:12: log_level", r.stdout + r.stderr)
        self.assertIn("broken.yaml:", r.stdout + r.stderr)
        os.unlink(os.path.join(self.dir, "broken.yaml"))
        self.write_conf("log_level: info\ntimestamps: true\n")
        self.service("b", LONG)
        self.assertEqual(ctl(self, "reload").returncode, 0)
        # Both settings apply at once: b's state line is an info line, stamped.
        harness.wait_for(lambda: re.search(r"^\d{4}-\d\d-\d\dT[\d:.]+Z corral: b: up",
                                           c.stderr(), re.M), 10, what="b's stamped up line")
        self.assertIn("corral: reload: corral.yaml: log_level, timestamps now in effect",
                      c.stderr())
        self.assertNotIn("a: up", c.stderr())

    def test_a_reload_shortens_the_shutdown_bound(self):
        # A service that ignores SIGTERM for its whole 20 s stop_timeout:
        # corral.yaml's 15 s bound, reloaded down to 1 s, ends it sooner.
        cfg = self.write_conf("shutdown_timeout: 15s\n")
        self.service("stubborn", "command: \"trap '' TERM; echo armed; "
                                 "while :; do sleep 0.1; done\"\n"
                                 "stop_timeout: 20s\n")
        c = self.run_services(args=["--config", cfg])
        wait_ready(self)
        self.wait_said(c, "stubborn", "armed")
        self.write_conf("shutdown_timeout: 1s\nkill_grace: 200ms\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        c.signal(signal.SIGTERM)
        # The reloaded bound, as corral says; c.wait's 10 s, short of the
        # 15 s it replaced, are the wait limit.
        c.wait(10)
        self.assertIn("shutdown_timeout, kill_grace now in effect", c.stderr())
        self.assertIn("shutdown_timeout (1s) reached: killing everything", c.stderr())

    def test_sighup_reloads_when_there_is_no_main(self):
        self.service("a", LONG)
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["a"]["state"] == "up")
        self.service("b", LONG)
        c.signal(signal.SIGHUP)
        harness.wait_for(lambda: status(self)[0].get("b", {}).get("state") == "up", 10)


    def test_a_reload_that_drops_what_a_service_waits_for_starts_it(self):
        self.service("b", LONG + "autostart: false\n")
        self.service("a", LONG + "depends_on: [b]\n")
        self.run_services()
        wait_ready(self)
        self.assertEqual(status(self)[0]["a"]["state"], "waiting")
        os.remove(os.path.join(self.dir, "b.yaml"))
        self.service("a", LONG)
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["a"]["state"] == "up", 10,
                         what="a up once it waits for nothing")

    def test_a_shutdown_while_a_reload_restarts_a_dependent_stops_its_old_dependency(self):
        # a depends on b; a reload changes a's command and drops the
        # dependency, and a takes a second to stop for its restart. A
        # shutdown meanwhile holds b back for a, then stops b once a is
        # down: no shutdown_timeout, no SIGKILL.
        term = self.path("b.term")
        self.service("b", f"command: \"trap 'echo TERM >> {term}; exit 0' TERM; "
                          "echo armed; while :; do sleep 0.1; done\"\nstop_timeout: 5s\n")
        slow = "command: \"trap 'sleep 1; exit 0' TERM; echo {v}; while :; do sleep 0.1; done\"\n"
        self.service("a", slow.format(v="v1") + "depends_on: [b]\nstop_timeout: 5s\n")
        cfg = self.write_conf("shutdown_timeout: 15s\n")
        c = self.run_services(args=["--config", cfg])
        wait_ready(self)
        self.wait_said(c, "b", "armed")
        self.wait_said(c, "a", "v1")  # a's TERM trap is set
        self.service("a", slow.format(v="v2") + "stop_timeout: 5s\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["a"]["state"] == "stopping", 10,
                         what="a stopping for its restart")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(30), 0, c.stderr())
        err = c.stderr()
        self.assertEqual(harness.read(term), "TERM\n", err)
        self.assertNotIn("shutdown_timeout (15s) reached", err)
        self.assertNotIn("SIGKILL", err)
        self.assertLess(err.index("a: stopped"), err.index("b: stopped"), err)

    def test_a_queued_stop_goes_on_when_a_reload_drops_the_dependent_it_waited_for(self):
        # stop a b: b waits for a, which ignores SIGTERM. A reload keeps
        # a's process and drops its dependency on b: b stops now.
        deaf = "command: \"trap '' TERM; echo armed; while :; do sleep 0.1; done\"\n"
        self.service("b", LONG)
        self.service("a", deaf + "depends_on: [b]\nstop_timeout: 30s\n")
        c = self.run_services()
        wait_ready(self)
        self.wait_said(c, "a", "armed")
        self.assertEqual(ctl(self, "stop", "a", "b").returncode, 0)
        self.assertEqual(status(self)[0]["b"]["state"], "up")
        self.service("a", deaf + "stop_timeout: 30s\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["b"]["state"] == "stopped", 10,
                         what="b stopped")
        self.assertEqual(status(self)[0]["a"]["state"], "stopping")
        c.signal(signal.SIGTERM)
        harness.wait_for(lambda: "SIGTERM: shutting down" in c.stderr(), 10)
        c.signal(signal.SIGTERM)  # a second one skips a's stop_timeout
        c.wait(10)

    def test_a_service_brought_back_while_it_still_stops_never_runs_twice(self):
        # A reload removes db, which takes a second to stop; a second reload
        # brings it back meanwhile: db restarts once its old process is
        # gone, never beside it.
        runs = self.path("runs")
        db = (f"command: \"trap 'sleep 1; echo end $$ >> {runs}; exit 0' TERM; "
              f"echo start $$ >> {runs}; while :; do sleep 0.1; done\"\nstop_timeout: 5s\n")
        self.service("db", db)
        self.service("other", LONG)
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "start" in harness.read(runs), 10, what="db's TERM trap set")
        os.remove(os.path.join(self.dir, "db.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        self.assertNotIn("db", status(self)[0])
        self.service("db", db)
        r, objs = ctl_json(self, "reload")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(objs[0]["result"]["restarted"], ["db"])
        self.assertEqual(status(self)[0]["db"]["state"], "stopping")
        harness.wait_for(lambda: harness.read(runs).count("start") == 2, 10,
                         what="db's second run")
        lines = [l.split() for l in harness.read(runs).splitlines()]
        self.assertEqual([w for w, _ in lines], ["start", "end", "start"], c.stderr())
        self.assertEqual(lines[0][1], lines[1][1])
        harness.wait_for(lambda: status(self)[0]["db"]["state"] == "up", 10)

    def test_a_reload_while_shutting_down_is_refused_not_pretended(self):
        self.service("stubborn", "command: \"trap '' TERM; echo armed; "
                                 "while :; do sleep 0.1; done\"\n"
                                 "stop_timeout: 30s\n")
        c = self.run_services()
        wait_ready(self)
        self.wait_said(c, "stubborn", "armed")
        self.service("added", LONG)
        c.signal(signal.SIGTERM)
        harness.wait_for(lambda: status(self)[1]["shutting_down"], 10)
        r = ctl(self, "reload")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("corral is shutting down", r.stderr)
        # A dry run changes nothing: it is still answered, with the plan.
        r = ctl(self, "reload", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("added", r.stdout)
        c.signal(signal.SIGHUP)
        harness.wait_for(lambda: "SIGHUP: not reloading: corral is shutting down" in c.stderr(), 5)
        self.assertNotIn("added", status(self)[0])
        c.signal(signal.SIGTERM)  # a second one skips the stop_timeout
        c.wait(10)

    def test_a_reload_renaming_hundreds_kills_none_that_stopped_in_time(self):
        # The new services fork in the reload's loop turns, past the old
        # ones' 100ms stop_timeout: their exits, already there, count before
        # any timeout acts, and a finish that then starts runs whole (within
        # its own stop_timeout, which bounds the finish too).
        finish = self.path("finished")
        for i in range(300):
            self.service(f"s{i:03}", "command: [sleep, '1000']\nstop_timeout: 100ms\n")
        for i in range(20):
            self.service(f"k{i:02}", "command: [sleep, '1000']\nstop_timeout: 10s\n"
                                     f"finish: 'sleep 0.02; echo k{i:02} >> {finish}'\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["s299"]["state"] == "up", 20)
        for i in range(300):
            os.rename(os.path.join(self.dir, f"s{i:03}.yaml"),
                      os.path.join(self.dir, f"t{i:03}.yaml"))
        for i in range(20):  # changed: restarted by the same reload
            self.service(f"k{i:02}", "command: [sleep, '1001']\nstop_timeout: 10s\n"
                                     f"finish: 'sleep 0.02; echo k{i:02} >> {finish}'\n")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: c.stderr().count(": stopped (") >= 300, 30,
                         what="the 300 old services stopped")
        harness.wait_for(lambda: len(harness.read(finish).split()) >= 20, 30,
                         what="the 20 finish commands")
        harness.wait_for(lambda: all(status(self)[0][f"k{i:02}"]["state"] == "up"
                                     for i in range(20)), 30, what="the 20 restarted")
        late = [l for l in c.stderr().splitlines()
                if "did not exit in time" in l or "did not end in time" in l]
        self.assertEqual((len(late), late[:2]), (0, []))
        self.assertEqual(len(re.findall(r"s\d{3}: stopped \(killed by SIGTERM\)", c.stderr())), 300)
        self.assertEqual(sorted(harness.read(finish).split()), [f"k{i:02}" for i in range(20)])

    def test_a_longer_name_after_reload_realigns_every_prefix(self):
        tick = "command: \"while :; do echo tick; sleep 0.05; done\"\n"
        self.service("a", tick)
        c = self.run_services()
        harness.wait_for(lambda: "a | tick" in c.stdout())
        self.service("longer_name", tick)
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: "longer_name | tick" in c.stdout())
        # Every line from the new service's first one on (a's too): one
        # column for '|'. The last line may still be partial: left out.
        start = c.stdout().index("longer_name | tick")
        harness.wait_for(lambda: sum(l.startswith("a ") for l in
                                     c.stdout()[start:].splitlines()) >= 2)
        later = c.stdout()[start:].splitlines()[:-1]
        self.assertEqual({l.index("|") for l in later if "tick" in l}, {len("longer_name ")},
                         later[:6])

class PidBudget(svc.ServiceTest):
    def test_status_answers_while_the_pid_budget_is_exhausted(self):
        cg = harness.pids_cgroup()
        if not cg:
            self.skipTest("no writable pids cgroup")
        self.addCleanup(harness.remove_cgroup, cg)
        open(cg + "/pids.max", "w").write("64")
        self.service("web", LONG)
        c = self.run_services(wrapper=["sh", "-c", f'echo $$ > {cg}/cgroup.procs && exec "$@"',
                                       "wrap"])
        wait_ready(self)
        # Exhaust the budget: nothing in the cgroup can fork any more.
        full = harness.read(cg + "/pids.current").strip()
        open(cg + "/pids.max", "w").write(full)
        r, objs = ctl_json(self, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        me = objs[0]["result"]["corral"]
        self.assertEqual(me.get("pids_max"), int(full))
        self.assertEqual(me.get("pids_current"), int(full))
        self.assertEqual(objs[0]["result"]["services"][0]["state"], "up")


if __name__ == "__main__":
    harness.main()
