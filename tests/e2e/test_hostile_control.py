"""Other local users against corral's sockets: a user in no group holding
hundreds of idle connections never locks root out, a socket swapped under
corral's path never has its mode changed for corral's, a socket directory
others can write is passed over, a flood of sd_notify datagrams becomes a
few lines, a squatted /tmp/corral-UID never stops a non-root corral
from running its services, and clients that pipeline thousands of requests,
half-close or ask what they may not are answered at a fair pace, whole, and
logged a few times at most."""

import itertools
import json
import os
import re
import socket
import stat
import subprocess
import threading
import time

import harness
import promparse
import svc
from ctl import ctl, status, wait_ready

LONG = "command: [sleep, '1000']\n"

# Run as another user: opens N connections to the socket and sends nothing.
# Prints one JSON line once they are open and all but KEPT of them have been
# answered and closed (or 30 s have passed), then, after a line on stdin, one
# more once every connection has been closed by corral (or 30 s have passed).
HOG = r'''
import json, os, select, socket, sys, time
path, n, kept = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conns, errors = [], []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:  # blocking: a full backlog makes connect wait, not fail
        s.connect(path)
        conns.append([s, time.monotonic(), b"", None])
    except OSError as e:
        errors.append(str(e))
def poll(until, done):
    while time.monotonic() < until:
        live = [c for c in conns if c[3] is None]
        if not live or done():
            return
        ready, _, _ = select.select([c[0] for c in live], [], [], max(0, until - time.monotonic()))
        for c in live:
            if c[0] in ready:
                data = c[0].recv(65536)
                c[2] += data
                if not data:
                    c[3] = time.monotonic()
def report():
    replies = [json.loads(c[2].split(b"\n")[0]) for c in conns if c[2]]
    return {"opened": len(conns), "connect_errors": errors[:3] + [len(errors)],
            "replies": len(replies), "codes": sorted({r["error"]["code"] for r in replies}),
            "messages": sorted({r["error"]["message"] for r in replies})[:3],
            "closed_silently": sum(1 for c in conns if c[3] is not None and not c[2]),
            "open": sum(1 for c in conns if c[3] is None),
            "closed_after": [round(c[3] - c[1], 3) for c in conns if c[3] is not None and not c[2]]}
def answered():
    return sum(1 for c in conns if c[3] is not None and c[2])
poll(time.monotonic() + 30, lambda: answered() >= n - kept)
print(json.dumps(report()), flush=True)
sys.stdin.readline()
poll(time.monotonic() + 30, lambda: False)
print(json.dumps(report()), flush=True)
sys.stdin.readline()
'''


_users = itertools.count()


def local_user(test):
    """A new local user (useradd), removed after the test: (uid, gid)."""
    name = f"crl{os.getpid() % 100000}x{next(_users)}"
    for _ in range(20):  # /etc/passwd may be locked by a useradd running beside
        r = subprocess.run(["useradd", "-M", "-U", "-s", "/usr/sbin/nologin", name],
                           capture_output=True, text=True)
        if r.returncode in (0, 9):
            break
        time.sleep(0.2)
    else:
        test.skipTest(f"useradd: {r.stderr.strip()}")
    test.addCleanup(subprocess.run, ["userdel", name], capture_output=True)
    out = subprocess.run(["id", "-u", name], capture_output=True, text=True).stdout
    gid = subprocess.run(["id", "-g", name], capture_output=True, text=True).stdout
    return int(out), int(gid)


def as_user(uid, gid):
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def open_to_a_stranger(test):
    """corral with the service web and its socket 0666 (read_group: nogroup),
    and a new local user in no group: (uid, gid, corral)."""
    os.chmod(test.tmp, 0o755)
    uid, gid = local_user(test)
    cfg = test.write_conf("read_group: nogroup\n")
    test.service("web", LONG)
    c = test.run_services(args=["--config", cfg])
    wait_ready(test)
    return uid, gid, c


class Lockout(svc.ServiceTest):
    def test_a_user_in_no_group_holding_400_idle_connections_never_locks_root_out(self):
        uid, gid, c = open_to_a_stranger(self)
        self.assertEqual(mode(self.path("corral.sock")), 0o666)
        events = subprocess.Popen(
            [harness.CORRALCTL, "--json", "events"], stdout=subprocess.PIPE, text=True,
            env=dict(os.environ, CORRAL_SOCKET=self.path("corral.sock")))
        self.addCleanup(lambda: (events.kill(), events.wait()))
        hog = subprocess.Popen([*as_user(uid, gid), harness.PY, "-c", HOG, self.path("corral.sock"),
                                "400", "32"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
        self.addCleanup(lambda: (hog.kill(), hog.wait()))
        first = json.loads(hog.stdout.readline())
        # Root is answered while that user holds every slot it may (a
        # refusal is an error; ctl() waits at most 10 s for the answer).
        for cmd in ("status", "health"):
            r = ctl(self, cmd)
            self.assertEqual(r.returncode, 0, f"{cmd}: {r.stdout}{r.stderr} hog: {first}")
        # The user got 32 slots; the other 368 were told why, then closed.
        self.assertEqual(first["opened"], 400, first)
        self.assertEqual(first["replies"], 400 - 32, first)
        self.assertEqual(first["codes"], ["bad_request"], first)
        self.assertIn(f"too many clients of uid {uid}", first["messages"][0])
        # The 32 kept sent nothing: each is closed once its first request is
        # 2 s late, not before, and without a word; no other was.
        hog.stdin.write("\n")
        hog.stdin.flush()
        second = json.loads(hog.stdout.readline())
        self.assertEqual(second["open"], 0, second)
        self.assertEqual(second["replies"], 400 - 32, second)
        self.assertEqual(second["closed_silently"], 32, second)
        self.assertGreaterEqual(min(second["closed_after"]), 1.9, second)
        # A stream asked for before that deadline keeps its connection.
        self.assertEqual(ctl(self, "restart", "web").returncode, 0)
        harness.wait_for(lambda: json.loads(events.stdout.readline()).get("stream"), 10,
                         what="an event on the stream opened before the deadline")
        self.assertIsNone(events.poll())
        refusals = [l for l in c.stderr().splitlines() if "refused: too many clients" in l]
        self.assertLessEqual(len(refusals), 2, refusals)
        self.assertEqual(ctl(self, "shutdown").returncode, 0)
        self.assertEqual(c.wait(), 0)


class Pacing(svc.ServiceTest):
    def test_clients_pipelining_thousands_of_requests_are_answered_whole_and_block_no_one(self):
        self.service("web", LONG)
        c = self.run_services()
        wait_ready(self)
        probe = self.connect()
        probe.sendall(b'{"v":1,"id":0,"cmd":"status","names":["web"]}\n')
        size = len(probe.makefile("rb").readline())
        # Each connection's replies are far more than the 4 MiB corral keeps
        # for a reader: they go out only because corral reads its requests
        # no faster than the client reads its replies.
        n = (6 << 20) // size + 1
        got = {}

        def flood(k):
            s = self.connect()
            lines = b"".join(b'{"v":1,"id":%d,"cmd":"status","names":["web"]}\n' % i
                             for i in range(n))
            sender = threading.Thread(target=s.sendall, args=(lines,), daemon=True)
            sender.start()
            time.sleep(2)  # none of its replies read meanwhile
            f = s.makefile("rb")
            ids = []
            for _ in range(n):
                line = f.readline()
                if not line:
                    break
                reply = json.loads(line)
                if not reply.get("ok"):
                    ids.append(reply)
                    break
                ids.append(reply["id"])
            got[k] = ids

        floods = [threading.Thread(target=flood, args=(k,), daemon=True) for k in range(4)]
        for t in floods:
            t.start()
        # Meanwhile, other clients are answered, and a connection whose
        # first request waits behind theirs is not closed for being late.
        time.sleep(0.5)
        for _ in range(5):
            r = ctl(self, "status", "web")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        late = self.connect()
        late.sendall(b'{"v":1,"id":7,"cmd":"pid","names":["web"]}\n')
        late.settimeout(60)
        self.assertEqual(json.loads(late.makefile("rb").readline())["id"], 7)
        for t in floods:
            t.join(120)
            self.assertFalse(t.is_alive(), "a flooding client still waits for its replies")
        for k in range(4):
            self.assertEqual(len(got[k]), n, f"connection {k}: {got[k][-1:]}")
            self.assertEqual(got[k], list(range(n)), f"connection {k}: replies out of order")
        self.assertIsNone(c.proc.poll())

    def read_to_eof(self, s):
        s.settimeout(30)
        buf = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                buf += d
        except ConnectionResetError:
            pass  # corral closed with the rest of an oversized line unread
        return [json.loads(l) for l in buf.splitlines()]

    def test_a_client_that_half_closes_gets_every_reply_then_eof(self):
        self.service("web", LONG)
        self.run_services()
        wait_ready(self)
        s = self.connect()
        s.sendall(b"".join(b'{"v":1,"id":%d,"cmd":"pid","names":["web"]}\n' % i
                           for i in range(2000)))
        s.shutdown(socket.SHUT_WR)
        self.assertEqual([r["id"] for r in self.read_to_eof(s)], list(range(2000)))

    def test_a_half_closed_client_still_gets_its_wait_answered_and_its_stream(self):
        # socat or nc at the end of their input: what a request still owes
        # (a wait's answer, a stream's items) comes before EOF.
        self.service("later", LONG + "autostart: false\n")
        self.service("talk", "command: \"while :; do echo tick; sleep 0.2; done\"\n")
        self.run_services()
        wait_ready(self)
        waiter, follower = self.connect(), self.connect()
        waiter.sendall(b'{"v":1,"id":7,"cmd":"wait","names":["later"],"for":"up"}\n')
        follower.sendall(b'{"v":1,"id":8,"cmd":"logs","names":["talk"],"lines":0,'
                         b'"follow":true}\n')
        for s in (waiter, follower):
            s.shutdown(socket.SHUT_WR)
        f = follower.makefile("rb")
        self.assertTrue(json.loads(f.readline())["ok"])
        for _ in range(3):  # items after the half-close
            self.assertIn("tick", json.loads(f.readline())["stream"]["line"])
        time.sleep(0.5)
        self.assertEqual(ctl(self, "start", "later").returncode, 0)
        replies = self.read_to_eof(waiter)
        self.assertEqual([(r["id"], r["ok"]) for r in replies], [(7, True)], replies)
        # A stream removed by a reload ends with its error, then EOF.
        os.remove(os.path.join(self.dir, "talk.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        follower.settimeout(30)
        rest = [json.loads(l) for l in f.read().splitlines()]
        self.assertEqual(rest[-1]["error"]["code"], "unknown_service", rest[-1])

    def test_a_client_that_hangs_up_with_a_wait_or_a_stream_open_is_let_go(self):
        # corralctl logs -f or events stopped with ^C, a wait given up by a
        # script's timeout: after EOF corral reads no more, yet must see the
        # hang-up, or such clients would hold their slots until none is left
        # for root.
        self.service("quiet", LONG)
        self.service("later", LONG + "autostart: false\n")
        c = self.run_services()
        wait_ready(self)
        asks = [b'{"v":1,"id":1,"cmd":"logs","names":["quiet"],"lines":0,"follow":true}\n',
                b'{"v":1,"id":1,"cmd":"events"}\n',
                b'{"v":1,"id":1,"cmd":"wait","names":["later"],"for":"up"}\n']
        held = []
        for ask, half_first in itertools.product(asks, (False, True)):
            for _ in range(15):
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.path("corral.sock"))
                s.sendall(ask)
                if half_first:  # socat at the end of its input, then gone
                    s.shutdown(socket.SHUT_WR)
                held.append(s)

        def clients():
            r = ctl(self, "metrics")
            self.assertEqual(r.returncode, 0, r.stderr)
            return promparse.value(promparse.parse(r.stdout), "corral_control_clients")

        # corral has taken them all and holds what they asked (and the
        # metrics request's own connection).
        harness.wait_for(lambda: clients() == len(held) + 1, 10,
                         what=f"{len(held) + 1} clients held")
        for s in held:
            s.close()
        harness.wait_for(lambda: clients() == 1, timeout=20,
                         what="corral letting go of the clients that hung up")
        self.assertIsNone(c.proc.poll())

    def test_names_repeated_thousands_of_times_cost_what_naming_once_does(self):
        # A request line of 64 KiB names a group or a service 10,000 times:
        # corral must not expand or look each up again (seconds of its loop
        # per request over 600 services), and a name given twice counts once.
        for i in range(600):
            self.service(f"s{i}", LONG + "groups: [g]\n")
        self.service("later", LONG + "autostart: false\n")
        self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["s599"]["state"] == "up", 30, what="s599 up")
        flood = self.connect()
        ask = json.dumps({"v": 1, "id": 1, "cmd": "status", "names": ["@g"] * 10000},
                         separators=(",", ":")).encode() + b"\n"
        threading.Thread(target=flood.sendall, args=(ask * 8,), daemon=True).start()
        t = time.monotonic()
        r = ctl(self, "version", timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(time.monotonic() - t, 5, "the loop stalled on repeated names")
        f = flood.makefile("rb")
        for _ in range(8):
            names = [x["name"] for x in json.loads(f.readline())["result"]["services"]]
            self.assertEqual(sorted(names), sorted(f"s{i}" for i in range(600)))
        waiter = self.connect()
        waiter.sendall(json.dumps({"v": 1, "id": 2, "cmd": "wait", "for": "up",
                                   "names": ["s599"] * 5000 + ["later"]}).encode() + b"\n")
        time.sleep(0.3)
        self.assertEqual(ctl(self, "start", "later").returncode, 0)
        waiter.settimeout(30)
        reply = json.loads(waiter.makefile("rb").readline())
        self.assertEqual([x["name"] for x in reply["result"]["services"]], ["s599", "later"])

    def test_status_asked_in_a_flood_reads_proc_once_for_many(self):
        # Every status counts each service's processes from /proc, which
        # with 1,500 processes costs tens of ms: 16 clients pipelining 32
        # each must be served from a scan that a spawn, exit or reap has
        # not made stale, not cost corral's loop one scan per request.
        self.service("many", "command: \"for i in $(seq 1500); do sleep 1000 & done; wait\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["many"].get("procs", 0) > 1500, 30,
                         what="1,500 processes")

        def reads():
            """read(2) calls corral has made: a scan reads each process's stat."""
            for line in harness.read(f"/proc/{c.pid}/io").splitlines():
                if line.startswith("syscr:"):
                    return int(line.split()[1])
        before = reads()
        floods = []
        for _ in range(16):
            s = self.connect()
            threading.Thread(target=s.sendall, daemon=True, args=(b"".join(
                b'{"v":1,"id":%d,"cmd":"status"}\n' % i for i in range(32)),)).start()
            floods.append(s)
        time.sleep(0.2)
        r = ctl(self, "version", timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        for s in floods:
            f = s.makefile("rb")
            for _ in range(32):
                self.assertEqual(json.loads(f.readline())["result"]["services"][0]["procs"],
                                 1501)
        # Counted, not timed: a scan for each request is 512 scans of 1,501
        # processes (770,000 reads measured); one per loop turn that serves
        # some is a few (2 or 3 measured, 32 at most when each client's
        # requests come in turns of their own).
        scans = (reads() - before) / 1501
        self.assertLess(scans, 100, "a scan of /proc for each request")

    def test_an_oversized_line_after_pipelined_requests_is_answered_after_them(self):
        self.service("web", LONG)
        self.run_services()
        wait_ready(self)
        s = self.connect()
        data = b"".join(b'{"v":1,"id":%d,"cmd":"pid","names":["web"]}\n' % i
                        for i in range(3000)) + b"x" * 70000
        threading.Thread(target=s.sendall, args=(data,), daemon=True).start()
        replies = self.read_to_eof(s)
        self.assertEqual([r["id"] for r in replies[:-1]], list(range(3000)))
        self.assertEqual(replies[-1]["error"]["code"], "too_large", replies[-1])

    def test_a_reply_larger_than_the_hold_leaves_its_connection_served(self):
        self.service("chatty", f"""command: |
  {harness.PY} -c "import sys; w = sys.stdout.write; [w('line %07d %s\\n' % (i, 'x' * 100)) for i in range(20000)]"
  exec sleep 1000
logs:
  stdout: none
  ring_size: 4MiB
""")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "line 0019999" in ctl(self, "logs", "-n", "1", "chatty").stdout,
                         10, what="every line in the ring")

        def sockets():
            return sum(link.startswith("socket:") for link in harness.fd_links(c.pid))
        before = sockets()
        s = self.connect()
        s.settimeout(20)
        f = s.makefile("rb")
        s.sendall(b'{"v":1,"id":1,"cmd":"logs","names":["chatty"],"lines":20000}\n')
        big = f.readline()
        self.assertGreater(len(big), 256 << 10)  # corral reads no request past 256 KiB unread
        self.assertEqual(json.loads(big)["result"]["lines"][-1]["line"][:12], "line 0019999")
        # The same connection is read again once that reply is out...
        s.sendall(b'{"v":1,"id":2,"cmd":"pid","names":["chatty"]}\n')
        self.assertEqual(json.loads(f.readline())["id"], 2)
        # ... and its hangup is seen: corral keeps no socket of it.
        f.close()
        s.close()
        harness.wait_for(lambda: sockets() <= before, 10, what="corral to close the connection")

    def test_a_stranger_asking_thousands_of_times_is_logged_twice_at_most(self):
        uid, gid, c = open_to_a_stranger(self)
        ask = ("import socket, sys\n"
               "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
               "s.sendall(b'{\"v\":1,\"id\":1,\"cmd\":\"reload\"}\\n' * 2000)\n"
               "f = s.makefile('rb'); print(sum(b'permission_denied' in f.readline()"
               " for _ in range(2000)))\n")
        r = subprocess.run([*as_user(uid, gid), harness.PY, "-c", ask, self.path("corral.sock")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.stdout.strip(), "2000", r.stderr)
        denied = [l for l in c.stderr().splitlines() if "permission denied" in l]
        self.assertGreaterEqual(len(denied), 1)
        self.assertLessEqual(len(denied), 2, denied[:3])
        self.assertIn(f"uid {uid}", denied[0])
        self.assertIn("reload: permission denied", denied[0])


class SocketMode(svc.ServiceTest):
    def swap_then_reload(self, wrapper=()):
        cfg = self.write_conf("")
        self.service("web", LONG)
        c = self.run_services(args=["--config", cfg], wrapper=list(wrapper))
        wait_ready(self)
        sock = self.path("corral.sock")
        self.assertEqual(mode(sock), 0o600)
        # Someone able to write the directory swaps the socket for a hard link
        # to another socket of root's (lstat says "socket"), then for a symlink
        # to a file of root's; the socket corral bound stays reachable by
        # another name, kept.
        kept = self.path("kept.sock")
        os.link(sock, kept)
        victim_sock = self.path("victim.sock")
        other = socket.socket(socket.AF_UNIX)
        self.addCleanup(other.close)
        other.bind(victim_sock)
        os.chmod(victim_sock, 0o600)
        os.unlink(sock)
        os.link(victim_sock, sock)
        self.write_conf("read_group: nogroup\n")
        r = ctl(self, "--socket", kept, "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(mode(victim_sock), 0o600, "a reload changed a socket that is not corral's")
        self.assertEqual(mode(kept), 0o666, "the reload did not open corral's own socket")
        victim_file = self.path("victim")
        with open(victim_file, "w") as f:
            f.write("root's\n")
        os.chmod(victim_file, 0o600)
        os.unlink(sock)
        os.symlink(victim_file, sock)
        self.write_conf("")
        r = ctl(self, "--socket", kept, "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(mode(victim_file), 0o600)
        self.assertEqual(mode(kept), 0o600)
        self.assertIsNone(c.proc.poll())
        return c

    def test_a_reload_changes_the_mode_of_the_socket_corral_bound_never_what_replaced_it(self):
        self.swap_then_reload()

    def test_the_same_without_cap_net_admin(self):
        # Without CAP_NET_ADMIN the socket cannot hand over its file
        # (SIOCUNIXFILE): corral opens it by path at once instead.
        c = self.swap_then_reload(wrapper=["setpriv", "--bounding-set=-net_admin"])
        cap_eff = next(l for l in harness.read(f"/proc/{c.pid}/status").splitlines()
                       if l.startswith("CapEff:"))
        self.assertFalse(int(cap_eff.split()[1], 16) & (1 << 12), cap_eff)  # CAP_NET_ADMIN

    def test_a_default_socket_directory_others_can_write_is_passed_over(self):
        # /run/corral cannot be made (a file is there); $XDG_RUNTIME_DIR is
        # mode 0777.
        os.mkdir(self.path("out"))
        self.service("web", "command: \"touch /run/t/out/ran; exec sleep 1000\"\n")
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                harness.private_run_and_tmp(self.tmp, ": > /run/corral && mkdir -m 0777 /run/xdg && exec"),
                "wrap"]
        c = self.corral(None, args=["--services", "/run/t/services.d"], pid1=False, wrapper=wrap,
                        env={"CORRAL_SOCKET": "", "XDG_RUNTIME_DIR": "/run/xdg"})
        harness.wait_for(lambda: os.path.exists(self.path("out/ran")), 10,
                         what=f"the service: {c.stderr()}")
        harness.wait_for(lambda: "control socket" in c.stderr(), 10, what="where it listens")
        root = f"/proc/{c.pid}/root"
        self.assertFalse(os.path.lexists(root + "/run/xdg/corral.sock"), c.stderr())
        self.assertTrue(stat.S_ISSOCK(os.lstat(root + "/tmp/corral-0/corral.sock").st_mode))
        self.assertIn("control socket: /tmp/corral-0/corral.sock (", c.stderr())
        self.assertIn("/run/xdg is writable by other users (mode 0777)", c.stderr())
        env = {k: v for k, v in os.environ.items() if k not in ("CORRAL_SOCKET", "XDG_RUNTIME_DIR")}
        r = subprocess.run(["nsenter", "-t", str(c.pid), "-m", "-p", "/run/bin/corralctl",
                            "status"], capture_output=True, text=True, timeout=10, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)


def notify_sockets(pid):
    """The abstract sd_notify names bound by process pid."""
    inodes = {link[8:-1] for link in harness.fd_links(pid) if link.startswith("socket:[")}
    names = []
    for line in harness.read(f"/proc/{pid}/net/unix").splitlines()[1:]:
        f = line.split()
        if len(f) >= 8 and f[6] in inodes and f[7].startswith("@corral-notify-"):
            names.append(f[7])
    return names


# A service that says READY=1 through sd_notify, after writing where to
# (argv[1]).
NOTIFYING = r'''
import os, socket, sys, time
addr = os.environ["NOTIFY_SOCKET"]
open(sys.argv[1], "w").write(addr)
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1\n", "\0" + addr[1:])
time.sleep(1000)
'''


FLOOD = r'''
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"READY=1\n", "\0" + sys.argv[1][1:])
'''


class SdNotify(svc.ServiceTest):
    def notifying(self, name):
        script = self.script("notify.py", NOTIFYING)
        self.service(name, "readiness: {notify: systemd}\n"
                           f"command: [{harness.PY}, {script}, {self.path(name + '.sock')}]\n")

    def test_without_a_notify_systemd_service_there_is_no_sd_notify_socket(self):
        self.service("web", LONG)
        c = self.run_services()
        wait_ready(self)
        self.assertEqual(notify_sockets(c.pid), [])
        # A reload that adds one opens it before the new service starts.
        self.notifying("db")
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: status(self)[0].get("db", {}).get("state") == "up", 10,
                         what="db ready through sd_notify")
        self.assertEqual(len(notify_sockets(c.pid)), 1)

    def test_a_flood_of_datagrams_from_a_stranger_becomes_a_few_lines(self):
        self.notifying("db")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["db"]["state"] == "up", 10, what="db up")
        addr = harness.read(self.path("db.sock")).strip()
        self.assertEqual(notify_sockets(c.pid), [addr])
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        n = 20000
        for i in range(n):
            s.sendto(b"READY=1\nSTATUS=flood %d\n" % i, "\0" + addr[1:])
        # One line at once, then one per 10 s with the count since.
        counted = []

        def count():
            counted[:] = [int(m) for m in re.findall(
                r"sd_notify: (\d+) more datagrams ignored in the last 10s", c.stderr())]
            return sum(counted) == n - 1
        try:
            harness.wait_for(count, 25, interval=0.2, what=f"{n - 1} datagrams counted")
        finally:
            lines = [l for l in c.stderr().splitlines() if "sd_notify" in l]
            print(f"{len(lines)} lines about sd_notify; counted {counted}", flush=True)
        self.assertLessEqual(len(lines), 4, lines[:10])
        self.assertEqual(sum("outside corral's PID namespace" in l for l in lines), 1, lines)
        self.assertNotEqual(status(self)[0]["db"].get("status_text", "").split()[:1], ["flood"])
        # Ending while refusals are still being counted.
        s.sendto(b"READY=1\n", "\0" + addr[1:])
        s.sendto(b"READY=1\n", "\0" + addr[1:])
        self.assertEqual(ctl(self, "shutdown").returncode, 0)
        self.assertEqual(c.wait(), 0)

    def test_a_flood_from_inside_the_namespace_becomes_a_few_lines(self):
        self.notifying("db")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["db"]["state"] == "up", 10, what="db up")
        addr = harness.read(self.path("db.sock")).strip()
        n = 20000
        subprocess.run(["nsenter", "-t", str(c.pid), "-p", harness.PY, "-c", FLOOD, addr, str(n)],
                       check=True, timeout=60)
        counted = []

        def count():
            counted[:] = [int(m) for m in re.findall(
                r"sd_notify: (\d+) more datagrams ignored in the last 10s", c.stderr())]
            return sum(counted) == n - 1
        try:
            harness.wait_for(count, 25, interval=0.2, what=f"{n - 1} datagrams counted")
        finally:
            lines = [l for l in c.stderr().splitlines() if "sd_notify" in l]
            print(f"{len(lines)} lines about sd_notify; counted {counted}; {lines[:2]}", flush=True)
        self.assertLessEqual(len(lines), 4, lines[:10])


class NonRootSocket(svc.ServiceTest):
    def run_as(self, uid, gid, squatter, take_abstract=False):
        """corral as uid, PID 1 of its own PID, mount and network namespaces,
        with /tmp/corral-UID already made by squatter."""
        os.chmod(self.tmp, 0o755)
        os.mkdir(self.path("out"))
        os.chmod(self.path("out"), 0o777)
        self.service("web", "command: \"touch /run/t/out/ran; exec sleep 1000\"\n")
        then = f"mkdir -m 0700 /tmp/corral-{uid} && chown {squatter} /tmp/corral-{uid} && "
        if take_abstract:
            # Someone took the abstract name first.
            then += (f"{{ {harness.PY} -c 'import socket, time; s = socket.socket(socket.AF_UNIX); "
                     f"s.bind(\"\\0corral-{uid}\"); s.listen(1); time.sleep(1000)' & }} && "
                     f"until grep -q @corral-{uid} /proc/net/unix; do sleep 0.05; done && ")
        then += "exec " + " ".join(as_user(uid, gid))
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "--net", "sh", "-c",
                harness.private_run_and_tmp(self.tmp, then), "wrap"]
        return self.corral(None, args=["--services", "/run/t/services.d"], pid1=False,
                           wrapper=wrap, env={"CORRAL_SOCKET": "", "XDG_RUNTIME_DIR": ""})

    def test_a_squatted_tmp_dir_falls_back_to_the_abstract_socket(self):
        uid, gid = local_user(self)
        other, _ = local_user(self)
        c = self.run_as(uid, gid, other)
        harness.wait_for(lambda: os.path.exists(self.path("out/ran")), 10,
                         what=f"the service to run: {c.stderr()}")
        harness.wait_for(lambda: "control socket" in c.stderr(), 10, what="where it listens")
        self.assertIn(f"control socket: @corral-{uid} (", c.stderr())
        self.assertIn(f"/tmp/corral-{uid} belongs to uid {other}, not {uid}", c.stderr())
        # Reachable there, in corral's network namespace.
        probe = ("import socket, sys; s = socket.socket(socket.AF_UNIX); s.settimeout(5); "
                 f"s.connect('\\0corral-{uid}'); "
                 "s.sendall(b'{\"v\":1,\"id\":1,\"cmd\":\"version\"}\\n'); "
                 "sys.stdout.write(s.makefile().readline())")
        if not harness.can_enter(c.pid):
            self.skipTest("cannot enter another uid's namespaces here (no CAP_SYS_PTRACE)")
        r = subprocess.run(["nsenter", "-t", str(c.pid), "-n", harness.PY, "-c", probe],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, f"probe: {r.stdout} {r.stderr}; corral: {c.stderr()}")
        self.assertTrue(json.loads(r.stdout)["ok"], r.stdout + r.stderr)
        env = {k: v for k, v in os.environ.items() if k not in ("CORRAL_SOCKET", "XDG_RUNTIME_DIR")}
        if harness.sanitized(harness.CORRALCTL):
            return  # its leak checker cannot read the /proc of that mount namespace
        r = subprocess.run(["nsenter", "-t", str(c.pid), "-n", "-m", *as_user(uid, gid),
                            "/run/bin/corralctl", "status"], capture_output=True, text=True,
                           timeout=10, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"web\s+up")
        self.assertIsNone(c.proc.poll())

    def test_with_no_usable_place_it_runs_without_a_socket_and_says_why(self):
        uid, gid = local_user(self)
        other, _ = local_user(self)
        c = self.run_as(uid, gid, other, take_abstract=True)
        harness.wait_for(lambda: os.path.exists(self.path("out/ran")), 10,
                         what=f"the service to run: {c.stderr()}")
        harness.wait_for(lambda: "control socket" in c.stderr(), 10, what="why no socket")
        lines = [l for l in c.stderr().splitlines() if "control socket" in l]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("control socket: none, corralctl cannot reach this corral (", lines[0])
        self.assertIn(f"@corral-{uid}: the name is taken", lines[0])
        self.assertIsNone(c.proc.poll())


if __name__ == "__main__":
    harness.main()
