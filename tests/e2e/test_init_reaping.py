"""corral as PID 1 reaps every orphan: a double-forking web server's, and a
burst of 500 exiting at once (one SIGCHLD may stand for many exits)."""

import json
import os
import urllib.request

import harness

WEB_SERVER = r'''
import http.server, os, sys, time
log = open(sys.argv[1], "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        # The classic CGI pattern: a child forks a worker and exits at once,
        # so the worker is orphaned and adopted by PID 1. The server reaps its
        # own child, never the worker: only init can.
        child = os.fork()
        if child == 0:
            if os.fork() == 0:
                log.write(f"{os.getpid()}\n")
                while not os.path.exists(sys.argv[3]):  # the test's go
                    time.sleep(0.05)
                os._exit(0)
            os._exit(0)
        os.waitpid(child, 0)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(srv.server_address[1]))
srv.serve_forever()
'''

BURST = r'''
import os, sys, time
n = int(sys.argv[1])
r, w = os.pipe()
pids = []
for i in range(n):
    c = os.fork()
    if c == 0:
        if os.fork() == 0:
            os.close(w)
            os.read(r, 1)          # blocks until the pipe is closed
            os._exit(0)
        os._exit(0)
    os.waitpid(c, 0)
os.close(r)
open(sys.argv[2], "w").write("ready")
while not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
os.close(w)                        # all n orphans exit at once
time.sleep(3600)
'''


class Reaping(harness.TestCase):
    def test_orphans_of_a_double_forking_web_server_are_reaped(self):
        server = self.script("server.py", WEB_SERVER)
        c = self.corral([harness.PY, server, self.path("workers"), self.path("port"),
                         self.path("go")])
        port = harness.wait_for(lambda: harness.read(self.path("port")), what="server port")
        for _ in range(30):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                self.assertEqual(r.read(), b"ok")
        # A worker writes its pid after the reply may have gone out: wait for all.
        harness.wait_for(lambda: len(harness.read(self.path("workers")).split()) == 30, 5,
                         what="30 workers to report")
        ns_workers = [int(x) for x in harness.read(self.path("workers")).split()]
        # The workers really are orphans adopted by corral (ppid 1 inside):
        # each lives until the test lets it go.
        adopted = [p for p in c.ns_pids() if (harness.proc_stat(p) or (0, 0))[1] == c.pid and
                   harness.ns_pid_of(p) in ns_workers]
        self.assertEqual(len(adopted), 30, "workers not adopted by corral")
        open(self.path("go"), "w").close()
        # Every worker exits and none is left a zombie.
        harness.wait_for(lambda: not any(harness.ns_pid_of(p) in ns_workers
                                         for p in c.ns_pids()), 10, what="workers gone")
        self.assertEqual(c.zombies(), [])
        self.assertEqual(c.proc.poll(), None, "corral must still run")

    def test_a_burst_of_500_exiting_orphans_is_all_reaped(self):
        burst = self.script("burst.py", BURST)
        c = self.corral([harness.PY, burst, "500", self.path("ready"), self.path("go")])
        harness.wait_for(lambda: os.path.exists(self.path("ready")), 30, what="500 orphans")
        orphans = [p for p in c.ns_pids() if harness.proc_stat(p) and
                   harness.proc_stat(p)[1] == c.pid]
        # The main plus 500 adopted orphans.
        self.assertGreaterEqual(len(orphans), 501)
        open(self.path("go"), "w").close()
        harness.wait_for(lambda: len(c.ns_pids()) == 1, 10, what="all 500 reaped")
        self.assertEqual(c.zombies(), [])


if __name__ == "__main__":
    harness.main()
