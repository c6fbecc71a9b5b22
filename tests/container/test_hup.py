"""`podman kill -s HUP` reaches the main service (nginx's reload keeps
working under corral), in pure init mode and beside a service directory;
the container keeps running."""

import ctr

MAIN = ("trap 'echo hup >> /markers/main.hup' HUP; echo > /markers/main.ready; "
        "while :; do sleep 0.1; done")


class Hup(ctr.TestCase):
    def check_hup_reaches_main(self, c):
        self.wait_marker("main.ready")
        ctr.podman("kill", "-s", "HUP", c)
        self.wait_marker("main.hup")
        self.assertTrue(self.running(c), self.logs(c))
        ctr.podman("kill", "-s", "HUP", c)
        ctr.wait_for(lambda: self.marker("main.hup") == "hup\nhup\n", what="the second HUP")
        self.assertTrue(self.running(c), self.logs(c))

    def test_hup_reaches_main_in_pure_init_mode(self):
        c = self.run_detached("--", "/bin/sh", "-c", MAIN)
        self.check_hup_reaches_main(c)

    def test_hup_reaches_main_beside_services(self):
        self.service("side", "command: |\n  trap 'echo hup >> /markers/side.hup' HUP\n"
                             "  while :; do sleep 0.1; done\n")
        c = self.run_detached("--", "/bin/sh", "-c", MAIN)
        self.check_hup_reaches_main(c)
        # Forwarded to the main service, not to every service.
        self.assertIsNone(self.marker("side.hup"))


if __name__ == "__main__":
    ctr.main()
