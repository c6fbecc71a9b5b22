"""Interactive: with a terminal on stdin, the main runs as the terminal's
foreground process group: it reads input, Ctrl-C reaches it (not corral),
and corral hands the terminal back when it exits (no SIGTTIN stop, no hang)."""

import fcntl
import os
import subprocess
import termios
import threading
import time

import harness

MAIN = r'''
import os, sys, time
st = open("/proc/self/stat").read()
f = st[st.rindex(")") + 2:].split()
print("fg=" + ("yes" if f[2] == f[5] else "no"), flush=True)
line = sys.stdin.readline().strip()
print("got:" + line, flush=True)
time.sleep(60)
'''


class Interactive(harness.TestCase):
    def run_in_pty(self, script):
        """Runs sh -c script as the leader of a new session on a new pty."""
        master, slave = os.openpty()
        self.addCleanup(os.close, master)

        def make_session():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        # The test's own socket, as the harness gives every corral: the host's
        # /run/corral is not this test's to take.
        env = dict(os.environ, CORRAL_SOCKET=self.path("corral.sock"))
        proc = subprocess.Popen(["sh", "-c", script], stdin=slave, stdout=slave, stderr=slave,
                                preexec_fn=make_session, cwd=self.tmp, env=env)
        os.close(slave)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        out = bytearray()

        def reader():
            while True:
                try:
                    b = os.read(master, 4096)
                except OSError:
                    break
                if not b:
                    break
                out.extend(b)
        threading.Thread(target=reader, daemon=True).start()
        return proc, master, out

    def expect(self, out, s):
        harness.wait_for(lambda: s.encode() in bytes(out), 10, what=f"{s!r} in {bytes(out)!r}")

    def drive(self, master, out):
        self.expect(out, "fg=yes")
        os.write(master, b"hello\n")
        self.expect(out, "got:hello")
        time.sleep(0.2)
        os.write(master, b"\x03")  # Ctrl-C goes to the foreground group: the main
        self.expect(out, "corral=130")

    def test_as_pid1_the_main_gets_the_terminal_input_and_ctrl_c(self):
        main = self.script("main.py", MAIN)
        proc, master, out = self.run_in_pty(
            f'unshare --pid --fork --mount-proc {harness.CORRAL} -- {harness.PY} {main}; '
            'echo "corral=$?"')
        self.drive(master, out)
        self.assertEqual(proc.wait(10), 0)

    def test_corral_gives_the_terminal_back_to_its_caller(self):
        # After corral, the shell reads the terminal again: that works only if
        # corral made the shell's group the foreground again (else: EIO/SIGTTIN).
        # As PID 1 of a new namespace the caller's group is outside it and has
        # no number there, so this is checked with corral as a subreaper.
        main = self.script("main.py", MAIN)
        proc, master, out = self.run_in_pty(
            f'{harness.CORRAL} -- {harness.PY} {main}; echo "corral=$?"; read x; echo "got2:$x"')
        self.drive(master, out)
        os.write(master, b"world\n")
        self.expect(out, "got2:world")
        self.assertEqual(proc.wait(10), 0)


if __name__ == "__main__":
    harness.main()
