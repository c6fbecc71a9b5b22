"""`podman run -it`, driven through a pseudo-terminal: the main command
reads what is typed, Ctrl-C reaches it as SIGINT (corral made its process
group the terminal's foreground group), and its exit code is podman's."""

import os
import pty
import select
import signal
import time

import ctr

MAIN = ("echo ready; read line; echo got:$line; "
        "trap 'echo caught-int; exit 42' INT; echo armed; "
        "while :; do sleep 0.1; done")


class Tty(ctr.TestCase):
    def test_main_reads_the_terminal_gets_ctrl_c_and_its_exit_code_is_podmans(self):
        self.build()
        name = f"corral-test-tty-{os.getpid()}"
        self.containers.append(name)
        argv = ["podman", *ctr.global_args(), "run", "-it", "--name", name, *ctr.run_args(),
                self.image.name, "--", "/bin/sh", "-c", MAIN]
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.addCleanup(self.reap, pid)
        self.addCleanup(os.close, fd)
        out = bytearray()

        def expect(token, timeout=30):
            deadline = time.monotonic() + timeout
            while token.encode() not in out:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {token!r} within {timeout}s; terminal: {bytes(out)!r}")
                r, _, _ = select.select([fd], [], [], left)
                if r:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        data = b""
                    if not data:
                        raise AssertionError(f"terminal closed before {token!r}: {bytes(out)!r}")
                    out.extend(data)

        expect("ready")
        os.write(fd, b"hello corral\r")
        expect("got:hello corral")
        expect("armed")
        os.write(fd, b"\x03")  # Ctrl-C, turned into SIGINT by the container's tty
        expect("caught-int")
        status = self.reap(pid, timeout=20)
        self.assertTrue(os.WIFEXITED(status), status)
        self.assertEqual(os.WEXITSTATUS(status), 42, bytes(out))

    def reap(self, pid, timeout=5):
        """Waits for podman run (our child) with a deadline, then kills it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                p, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if p == pid:
                return status
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError(f"podman run did not exit within {timeout}s")
            time.sleep(0.05)


if __name__ == "__main__":
    ctr.main()
