"""corralctl finds the socket that corral.yaml's `socket:` put corral on, as
`docker exec CONTAINER corralctl status` must: with neither --socket nor
$CORRAL_SOCKET, it reads that key (--config FILE, default
/etc/corral/corral.yaml), and only then falls back to the default paths."""

import os
import subprocess

import harness
import svc

LONG = "command: [sleep, '1000']\n"


class CtlConfig(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(harness.CORRALCTL):
            self.fail(f"corralctl not found at {harness.CORRALCTL}")
        self.conf = self.path("corral.yaml")  # written by write_conf

    def ctl(self, *args, env=None):
        """corralctl with $CORRAL_SOCKET unset (the harness sets it for each
        test), as in a `docker exec` shell."""
        e = {k: v for k, v in os.environ.items() if k != "CORRAL_SOCKET"}
        e.update(env or {})
        return subprocess.run([harness.CORRALCTL, *args], env=e, capture_output=True,
                              text=True, timeout=10)

    def start(self, env=None):
        # corral itself must not see the harness's $CORRAL_SOCKET either:
        # only corral.yaml says where the socket is.
        c = self.run_services(args=["--config", self.conf],
                              env={"CORRAL_SOCKET": "", **(env or {})})
        harness.wait_for(
            lambda: self.ctl("--config", self.conf, "status", env=env).returncode == 0, 10,
            what="corral on corral.yaml's socket")
        return c

    def test_socket_of_corral_yaml_is_used_without_flags_or_variable(self):
        sock = self.path("from-yaml.sock")
        self.write_conf(f"socket: {sock}\n")
        self.service("web", LONG)
        self.start()
        self.assertTrue(os.path.exists(sock))
        r = self.ctl("status", "--config", self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"web\s+up\s+\d+")
        r = self.ctl("--config", self.conf, "--json", "pid", "web")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The default paths were not tried: the socket of the file is the only one.
        r = self.ctl("--config", self.conf, "status",
                     env={"XDG_RUNTIME_DIR": self.path("xdg")})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_variables_in_the_socket_key_expand_as_corral_expands_them(self):
        self.write_conf("socket: \"${APP_RUN:?needed}/c.sock\"\n")
        os.mkdir(self.path("run"))
        self.service("web", LONG)
        self.start(env={"APP_RUN": self.path("run")})
        r = self.ctl("--config", self.conf, "status", env={"APP_RUN": self.path("run")})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("web", r.stdout)
        r = self.ctl("--config", self.conf, "status")
        self.assertEqual(r.returncode, 2)
        self.assertIn("corral.yaml:1:9: socket: APP_RUN: needed", r.stderr)

    def test_option_and_variable_win_over_the_file(self):
        sock = self.path("from-yaml.sock")
        self.write_conf(f"socket: {sock}\n")
        self.service("web", LONG)
        self.start()
        other = self.path("elsewhere.sock")
        r = self.ctl("--config", self.conf, "status", env={"CORRAL_SOCKET": other})
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"{other}: No such file or directory (from $CORRAL_SOCKET)", r.stderr)
        self.assertNotIn(sock, r.stderr)
        r = self.ctl("--config", self.conf, "--socket", other, "status")
        self.assertEqual(r.returncode, 4)
        self.assertIn(other, r.stderr)
        self.assertNotIn(sock, r.stderr)
        r = self.ctl("--config", self.conf, "--socket", sock, "status",
                     env={"CORRAL_SOCKET": other})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_unreachable_socket_of_the_file_is_named_with_the_file(self):
        gone = self.path("gone.sock")
        self.write_conf(f"socket: {gone}\n")
        r = self.ctl("--config", self.conf, "health")
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"cannot reach corral: {gone}: No such file or directory "
                      f"(from {self.conf}'s socket:)", r.stderr)

    def test_named_config_that_is_missing_or_invalid_is_a_usage_error(self):
        r = self.ctl("--config", self.path("nope.yaml"), "status")
        self.assertEqual(r.returncode, 2)
        self.assertIn("nope.yaml: cannot read: No such file or directory", r.stderr)
        self.write_conf("socket: /a.sock\nsockett: /b.sock\n")
        r = self.ctl("--config", self.conf, "status")
        self.assertEqual(r.returncode, 2)
        self.assertIn("corral.yaml:2:1: ", r.stderr)
        self.assertIn("sockett", r.stderr)
        # Offline commands do not read it.
        r = self.ctl("--config", self.path("nope.yaml"), "help", "status")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    harness.main()
