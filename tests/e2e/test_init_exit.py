"""corral's exit code is the main's: its exit status, or 128+N for signal N;
exec failures are a sentence with 127 or 126; usage errors exit 2."""

import os
import signal
import subprocess

import harness


class ExitCodes(harness.TestCase):
    def test_exit_3_gives_3_and_says_nothing_as_tini_does(self):
        c = self.corral(["sh", "-c", "exit 3"])
        self.assertEqual(c.wait(), 3)
        self.assertEqual(c.stderr(), "")
        c = self.corral(["sh", "-c", "exit 3"], args=["-v"])
        self.assertEqual(c.wait(), 3)
        self.assertIn("corral: exiting 3: main exited 3", c.stderr())

    def test_sigsegv_gives_139(self):
        c = self.corral(["sh", "-c", "kill -SEGV $$"])
        self.assertEqual(c.wait(), 139)
        self.assertNotIn("exiting", c.stderr())

    def test_a_corral_under_another_corral_runs_its_command_silently(self):
        # Both on the default socket path (a private /run and /tmp, no
        # CORRAL_SOCKET): the inner one finds it taken and runs its command
        # all the same.
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                harness.private_run_and_tmp(self.tmp, "exec"), "wrap", harness.CORRAL, "--",
                "/run/bin/corral", "--", "sh", "-c", "sleep 0.3; echo hi"]
        env = dict(os.environ)
        env.pop("CORRAL_SOCKET", None)
        env.pop("XDG_RUNTIME_DIR", None)
        r = subprocess.run(wrap, env=env, capture_output=True, text=True, timeout=20)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "hi\n", ""))
        # A socket named explicitly and taken stays an error.
        sock = self.path("s.sock")
        env["CORRAL_SOCKET"] = sock
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", harness.CORRAL, "--",
                            harness.CORRAL, "--", "true"], env=env, capture_output=True,
                           text=True, timeout=20)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("another corral is listening there", r.stderr)

    def test_a_corral_that_replaces_a_stale_socket_runs_its_command_silently(self):
        # A corral killed before it could remove its socket left it on the
        # default path (a private /run and /tmp, no CORRAL_SOCKET): the next
        # one listens there all the same, and as a drop-in tini says nothing.
        stale = (f"mkdir -m 0755 /run/corral && {harness.PY} -c \"import socket; "
                 "socket.socket(socket.AF_UNIX).bind('/run/corral/corral.sock')\" && exec")
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                harness.private_run_and_tmp(self.tmp, stale), "wrap", harness.CORRAL, "--",
                "sh", "-c", "/run/bin/corralctl status > /dev/null && echo reachable"]
        env = dict(os.environ)
        env.pop("CORRAL_SOCKET", None)
        env.pop("XDG_RUNTIME_DIR", None)
        r = subprocess.run(wrap, env=env, capture_output=True, text=True, timeout=20)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "reachable\n", ""))

    def test_a_main_service_that_exits_ends_the_container_at_once(self):
        d = self.path("main.d")
        os.mkdir(d)
        with open(os.path.join(d, "app.yaml"), "w") as f:
            f.write("command: \"echo ran >> runs; exit 0\"\nmain: true\n")
        with open(os.path.join(d, "side.yaml"), "w") as f:
            f.write("command: [sleep, '1000']\n")
        c = self.corral([], args=["--services", d])
        self.assertEqual(c.wait(), 0)
        self.assertEqual(harness.read(self.path("runs")), "ran\n", "run once, not restarted")
        self.assertNotIn("restarted", c.stderr())

    def test_a_main_service_s_success_codes_reach_corral_s_exit_code(self):
        d = self.path("services.d")
        os.mkdir(d)
        with open(os.path.join(d, "jvm.yaml"), "w") as f:
            f.write("command: \"exit 143\"\nmain: true\nrestart: never\n"
                    "success_codes: [0, 143]\n")
        c = self.corral([], args=["--services", d])
        self.assertEqual(c.wait(), 0)
        with open(os.path.join(d, "jvm.yaml"), "w") as f:
            f.write("command: \"exit 143\"\nmain: true\nrestart: never\n")
        c = self.corral([], args=["--services", d])
        self.assertEqual(c.wait(), 143)

    def test_a_missing_binary_prints_a_sentence_and_exits_127(self):
        c = self.corral(["/usr/bin/ngnix", "-g", "daemon off;"])
        self.assertEqual(c.wait(), 127)
        self.assertIn("corral: exec /usr/bin/ngnix: No such file or directory\n", c.stderr())

    def test_a_missing_command_on_path_exits_127(self):
        c = self.corral(["ngnix"])
        self.assertEqual(c.wait(), 127)
        self.assertIn("corral: exec ngnix: No such file or directory\n", c.stderr())

    def test_signals_ignored_by_corrals_parent_are_not_ignored_in_the_main(self):
        # A runtime or shell may start corral with SIGHUP and SIGUSR1 ignored;
        # an ignored disposition survives execve, so spawn must reset it.
        def ignore():
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        c = self.corral(["sh", "-c", "grep '^SigIgn' /proc/self/status > sig"], preexec=ignore)
        self.assertEqual(c.wait(), 0)
        self.assertEqual(int(harness.read(self.path("sig")).split()[1], 16), 0)

    def test_a_file_that_cannot_be_run_exits_126(self):
        p = self.path("notexec")
        open(p, "w").write("#!/bin/sh\n")
        c = self.corral([p])
        self.assertEqual(c.wait(), 126)
        self.assertIn(f"corral: exec {p}: Permission denied\n", c.stderr())

    def test_the_main_gets_only_stdio_and_a_clean_signal_state(self):
        # SigBlk/SigIgn of the main: empty mask, nothing ignored (corral itself
        # ignores SIGPIPE, SIGTTIN, SIGTTOU). fds: only 0, 1, 2.
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        c = self.corral(["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status > sig; "
                                     "ls /proc/self/fd > fds"], pass_fds=(w,))
        self.assertEqual(c.wait(), 0)
        sig = dict(line.split(":\t") for line in harness.read(self.path("sig")).splitlines())
        self.assertEqual(int(sig["SigBlk"], 16), 0)
        self.assertEqual(int(sig["SigIgn"], 16), 0)
        # ls itself opens one fd for the directory it lists.
        fds = sorted(int(x) for x in harness.read(self.path("fds")).split())
        self.assertEqual(fds[:3], [0, 1, 2])
        self.assertLessEqual(len(fds), 4)

    def test_the_main_runs_in_its_own_process_group(self):
        c = self.corral(["sh", "-c", "cut -d' ' -f5 /proc/$$/stat > pgrp; echo $$ > pid"])
        self.assertEqual(c.wait(), 0)
        self.assertEqual(harness.read(self.path("pgrp")).strip(),
                         harness.read(self.path("pid")).strip())


class Usage(harness.TestCase):
    def run_corral(self, *args):
        return subprocess.run([harness.CORRAL, *args], capture_output=True, text=True, timeout=10)

    def test_help_prints_usage_and_exits_0(self):
        r = self.run_corral("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: corral", r.stdout)

    def test_version_prints_the_version(self):
        r = self.run_corral("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^corral \d+\.\d+\.\d+\n$")

    def test_nothing_to_run_is_a_usage_error(self):
        r = self.run_corral()
        self.assertEqual(r.returncode, 2)
        self.assertIn("corral: nothing to run: no command given", r.stderr)

    def test_an_unknown_option_is_a_usage_error(self):
        r = self.run_corral("--bogus", "true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option --bogus", r.stderr)

    def test_a_config_file_that_is_not_yaml_says_why(self):
        r = self.run_corral("--config", "/dev/null", "true")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"corral: /dev/null.*\n")

    def test_a_bad_duration_is_a_usage_error(self):
        r = self.run_corral("--stop-timeout", "10 s", "true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--stop-timeout: expected a duration", r.stderr)


if __name__ == "__main__":
    harness.main()
