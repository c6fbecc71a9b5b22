"""examples/kubernetes/pod.yaml as written (its probes, read-only root,
emptyDir volumes and grace period), played by `podman kube play`, which
understands pod manifests: only the image is swapped for one built here
from examples/scratch (busybox, corral, corralctl; no registry is
reachable). corral is PID 1 of the app container, the scratch example's
services come up, the liveness probe (`corralctl health`, which podman
turns into a healthcheck) passes, and stopping the pod within its grace
period stops the services in order and exits 0."""

import os
import re
import uuid

import ctr

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples")


class KubePlay(ctr.TestCase):
    def setUp(self):
        super().setUp()
        if not self.has_corralctl:
            self.skipTest("corralctl not built: the pod's probes run it")
        scratch = os.path.join(EXAMPLES, "scratch")
        for f in ("passwd", "group"):
            with open(os.path.join(scratch, f)) as fh:
                self.image.add_text(f"/etc/{f}", fh.read())
        for f in sorted(os.listdir(os.path.join(scratch, "services.d"))):
            with open(os.path.join(scratch, "services.d", f)) as fh:
                self.image.add_text(f"/etc/corral/services.d/{f}", fh.read())
        # podman's default ulimits fail on hosts like these (ctr.py): kube
        # play takes no --ulimit, so they come from a containers.conf.
        hard = ctr.run_args()[1].split("=")[1]
        self.conf = os.path.join(self.tmp, "containers.conf")
        with open(self.conf, "w") as f:
            f.write(f'[containers]\ndefault_ulimits = ["nofile={hard}", "nproc=32768:32768"]\n')
        self.pod = f"corral-kube-{uuid.uuid4().hex[:8]}"

    def kube(self, *args, check=True, timeout=120):
        env = dict(os.environ, CONTAINERS_CONF=self.conf)
        return ctr.podman(*args, check=check, timeout=timeout, env=env)

    def build_image(self):
        tar = os.path.join(self.tmp, "rootfs.tar")
        self.image.write_tar(tar)
        ctr.podman("import", "--change", 'ENTRYPOINT ["/sbin/corral"]', "--change", "CMD []",
                   "--change", "ENV PATH=/sbin:/bin", tar, self.image.name)
        self.built = True

    def manifest(self):
        with open(os.path.join(EXAMPLES, "kubernetes", "pod.yaml")) as f:
            text = f.read()
        text, n = re.subn(r"image: corral-example:slim", f"image: {self.image.name}", text)
        self.assertEqual(n, 1, "the example names its image once")
        text = text.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: Never")
        text = re.sub(r"(?m)^  name: corral-example$", f"  name: {self.pod}", text)
        path = os.path.join(self.tmp, "pod.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_the_kubernetes_example_runs_under_podman_kube_play(self):
        if self.kube("kube", "play", "--help", check=False).returncode != 0:
            self.skipTest("this podman has no `kube play`")
        self.build_image()
        pod_yaml = self.manifest()
        self.addCleanup(self.kube, "pod", "rm", "-f", "-t", "0", self.pod, check=False)
        self.kube("kube", "play", pod_yaml)
        app = f"{self.pod}-app"
        self.containers.append(app)
        # The scratch example: prepare done, web ready, worker fetching pages.
        ctr.wait_for(lambda: all(self.status(app)["services"][n]["state"] == s
                                 for n, s in (("prepare", "done"), ("web", "up"),
                                              ("worker", "up"))),
                     timeout=30, what="the example's services up")
        self.assertEqual(self.exec(app, "cat", "/proc/1/cmdline").stdout.split("\0")[0],
                         "/sbin/corral")
        # The liveness probe, as podman runs it.
        p = self.kube("healthcheck", "run", app, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ctr.wait_for(lambda: "worker: GET / ok" in self.logs(app), timeout=20,
                     what="the worker's first page")
        # Stopping the pod: SIGTERM, the services in order, exit 0 in time.
        self.kube("pod", "stop", "-t", "15", self.pod, timeout=60)
        self.assertEqual(self.exit_code(app), 0, self.logs(app))
        logs = self.logs(app)
        self.assertIn("worker: finishing", logs)
        self.assertLess(logs.index("worker: stopped"), logs.index("web: stopped"), logs)
        self.assertNotIn("killing everything", logs)
        self.assertNotIn("stop_timeout: stopping can take", logs)


if __name__ == "__main__":
    ctr.main()
