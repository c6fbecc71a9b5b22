"""`podman stop -t 10` of a container running three services that each need
1 s to clean up: every one finishes its clean-up, the container exits 0 (a
requested shutdown with no main), and well before podman's SIGKILL."""

import time

import ctr

# Each service marks itself up, and on SIGTERM takes 1 s to "flush" before it
# marks itself done and exits 0. The marker names the service.
SERVICE = """\
command: |
  trap 'sleep 1; echo clean > /markers/{name}.done; exit 0' TERM
  echo up > /markers/{name}.up
  while :; do sleep 0.1; done
"""


class PodmanStop(ctr.TestCase):
    def test_stop_lets_three_slow_services_finish_and_exits_0_well_inside_10s(self):
        names = ("db", "web", "worker")
        for n in names:
            self.service(n, SERVICE.format(name=n))
        c = self.run_detached()
        for n in names:
            self.wait_marker(f"{n}.up")

        t0 = time.monotonic()
        ctr.podman("stop", "-t", "10", c, timeout=30)
        elapsed = time.monotonic() - t0

        for n in names:
            self.assertEqual(self.marker(f"{n}.done"), "clean\n",
                             f"{n} did not finish its clean-up; logs:\n{self.logs(c)}")
        self.assertEqual(self.exit_code(c), 0, self.logs(c))
        # Each needs 1 s and they stop in parallel; 10 s would mean SIGKILL.
        self.assertGreaterEqual(elapsed, 1.0)
        self.assertLess(elapsed, 5.0, self.logs(c))


if __name__ == "__main__":
    ctr.main()
