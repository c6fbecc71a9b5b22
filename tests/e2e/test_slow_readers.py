"""Readers that never read cannot make PID 1 hold much: 200 log followers
of a chatty service that read nothing cost corral a bounded amount of
memory in all (every stream's unread items together have a cap, counted
in bytes actually held), each keeps its stream, and the memory goes back
to the system once they have left."""

import os
import socket
import time

import harness
import svc
from ctl import status, wait_ready

CHATTY = 'command: ["python3", "-c", "import sys\\nwhile True: sys.stdout.write(\'x\' * 100 + \'\\\\n\')"]\n' \
         "logs: {stdout: none}\n"


def rss_mib(pid):
    for line in harness.read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


class SlowReaders(svc.ServiceTest):
    def test_200_followers_that_never_read_cost_a_bounded_amount(self):
        self.service("talk", CHATTY)
        c = self.run_services(env=harness.NO_QUARANTINE)
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["talk"]["state"] == "up", 10)
        time.sleep(0.5)
        before = rss_mib(c.pid)
        clients = []
        for _ in range(200):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(os.path.join(self.tmp, "corral.sock"))
            s.sendall(b'{"v":1,"id":1,"cmd":"logs","names":["talk"],"lines":0,"follow":true}\n')
            clients.append(s)
            self.addCleanup(s.close)
        # Long enough for every stream to reach its cap many times over.
        peak = 0
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            peak = max(peak, rss_mib(c.pid))
            time.sleep(0.1)
        # 16 MiB of items at most, plus what jansson and the loop use; ASan
        # adds its shadow and allocator metadata (before: 450 MiB).
        bound = 64 if harness.sanitized() else 40
        self.assertLess(peak - before, bound, f"grew {peak - before:.1f} MiB")
        # Each still has its stream: a reader that catches up is told what it lost.
        s = clients[0]
        s.settimeout(10)
        buf = b""
        while b'"dropped"' not in buf:
            chunk = s.recv(1 << 20)
            self.assertTrue(chunk, "stream closed")
            buf += chunk
        for s in clients:
            s.close()
        if not harness.sanitized():  # ASan's allocator keeps what was freed
            harness.wait_for(lambda: rss_mib(c.pid) - before < 8, 10,
                             what=f"memory given back (now {rss_mib(c.pid):.1f} MiB)")
        self.assertIsNone(c.proc.poll())


if __name__ == "__main__":
    harness.main()
