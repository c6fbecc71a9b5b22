"""The container environment (corral.yaml's container_environment): a
variable a startup script or a oneshot writes as a NAME file reaches every
process started after it; corral's own environment wins over what the image
shipped; write_container_environment writes the final environment for
shells (DIR's files, DIR.sh, DIR.json, never readable by others)."""

import json
import os
import signal
import stat
import subprocess

import ctl
import harness
import svc


class ContainerEnv(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.env_dir = self.path("container_environment")
        os.mkdir(self.path("init.d"))

    def add_script(self, name, body):
        p = os.path.join(self.path("init.d"), name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(p, 0o755)

    def conf(self, extra=""):
        return self.write_conf(f"startup_scripts: {self.path('init.d')}\n"
                               f"container_environment: {self.env_dir}\n" + extra)

    def test_a_variable_a_startup_script_exports_reaches_the_services(self):
        self.add_script("10-secret", f"printf 's3cret\\n' > {self.env_dir}/SECRET\n")
        self.add_script("20-uses-it", f"echo \"$SECRET\" > {self.path('seen-by-20')}\n")
        self.service("web", f"command: \"echo \\\"$SECRET\\\" > {self.path('seen-by-web')}; "
                            "exec sleep 1000\"\n")
        c = self.run_services(["--config", self.conf()])
        self.wait_file("seen-by-web")
        harness.wait_for(lambda: harness.read(self.path("seen-by-web")).strip(), 5, what="web")
        # One trailing newline is not part of the value (my_init's rule).
        self.assertEqual(harness.read(self.path("seen-by-20")), "s3cret\n")
        self.assertEqual(harness.read(self.path("seen-by-web")), "s3cret\n")
        self.assertEqual(stat.S_IMODE(os.stat(self.env_dir).st_mode), 0o700)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_variable_a_oneshot_exports_reaches_its_dependents(self):
        self.service("prep", f"type: oneshot\ncommand: \"echo tok-42 > {self.env_dir}/TOKEN\"\n")
        self.service("app", f"command: \"echo $TOKEN > {self.path('seen')}; exec sleep 1000\"\n"
                            "depends_on: {prep: {condition: completed}}\n")
        c = self.run_services(["--config", self.conf()])
        harness.wait_for(lambda: harness.read(self.path("seen")).strip(), 5, what="app")
        self.assertEqual(harness.read(self.path("seen")).strip(), "tok-42")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_docker_run_e_wins_over_the_image_but_not_over_a_script(self):
        os.mkdir(self.env_dir)
        for name, value in (("FROM_IMAGE", "image"), ("OVERRIDDEN", "image"),
                            ("BY_SCRIPT", "image")):
            with open(os.path.join(self.env_dir, name), "w") as f:
                f.write(value)
        self.add_script("10", f"echo script > {self.env_dir}/BY_SCRIPT\n")
        self.service("web", "command: \"echo $FROM_IMAGE $OVERRIDDEN $BY_SCRIPT > "
                            f"{self.path('seen')}; exec sleep 1000\"\n")
        c = self.run_services(["--config", self.conf()],
                              env={"OVERRIDDEN": "run", "BY_SCRIPT": "run"})
        harness.wait_for(lambda: harness.read(self.path("seen")).strip(), 5, what="web")
        self.assertEqual(harness.read(self.path("seen")).split(), ["image", "run", "script"])
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_write_container_environment_writes_files_sh_and_json_for_shells(self):
        self.add_script("10", f"printf %s \"it's a \\$test\" > {self.env_dir}/QUOTED\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services(["--config", self.conf("write_container_environment: true\n")],
                              env={"PLAIN": "a/b:c"})
        ctl.wait_ready(self)
        sh = self.env_dir + ".sh"
        # Written again once the script has run: the files, .sh, then .json.
        harness.wait_for(lambda: '"QUOTED"' in harness.read(self.env_dir + ".json"), 5,
                         what="QUOTED in .json")
        text = harness.read(sh)
        self.assertIn("export PLAIN=a/b:c\n", text)
        self.assertIn("export QUOTED='it'\"'\"'s a $test'\n", text)
        self.assertNotIn("export HOME=", text)
        # A shell that sources it gets the values back.
        out = subprocess.run(["sh", "-c", f". {sh}; printf %s \"$QUOTED\""],
                             capture_output=True, text=True).stdout
        self.assertEqual(out, "it's a $test")
        data = json.loads(harness.read(self.env_dir + ".json"))
        self.assertEqual(data["QUOTED"], "it's a $test")
        self.assertEqual(data["PLAIN"], "a/b:c")
        self.assertEqual(harness.read(os.path.join(self.env_dir, "PLAIN")), "a/b:c")
        for p in (sh, self.env_dir + ".json", os.path.join(self.env_dir, "PLAIN")):
            self.assertEqual(stat.S_IMODE(os.stat(p).st_mode) & 0o077, 0, p)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_check_lists_the_variables_there_now(self):
        os.mkdir(self.env_dir)
        with open(os.path.join(self.env_dir, "A"), "w") as f:
            f.write("1")
        self.service("web", "command: [sleep, '1']\n")
        r = self.corral([], args=["--config", self.conf(), "--services", self.dir, "--check"],
                        pid1=False)
        self.assertEqual(r.wait(), 0)
        self.assertIn(f"{self.env_dir}: 1 variables for every process: A", r.stdout())


if __name__ == "__main__":
    harness.main()
