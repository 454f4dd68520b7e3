"""IO_THREAD_CPUS=auto, the default: each I/O thread on a CPU of its own
while no other process fills one of them; unpinned while one does, pinned
again once it has gone. Run alone (RUN_SERIAL): another test's load would
be a neighbour too."""

import os
import re
import subprocess
import time
import unittest

from harness import Server


def io_thread_cpus(server):
    return [cpus for name, cpus in server.threads() if name == "agenttheo.io"]


def pin_changes(server):
    """agenttheo_io_pin_changes_total by change, from /metrics."""
    status, _, body = server.get("/metrics")
    assert status == 200, status
    found = re.findall(r'^agenttheo_io_pin_changes_total\{change="(\w+)"\} (\d+)',
                       body.decode(), re.M)
    return {change: int(n) for change, n in found}


def eventually(check, seconds, what):
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


class AdaptivePins(unittest.TestCase):
    def setUp(self):
        self.cpus = sorted(os.sched_getaffinity(0))

    def test_io_threads_leave_a_cpu_another_process_fills_and_come_back(self):
        if len(self.cpus) < 2:
            # One CPU: nowhere else to be, so nothing is pinned.
            server = self.enterContext(Server("--browser", "none"))
            self.assertTrue(all(m == set(self.cpus) for m in io_thread_cpus(server)))
            return
        server = self.enterContext(Server("--browser", "none", "--io-threads", "2"))
        planned = [{cpu} for cpu in self.cpus[:2]]

        def pinned():
            return sorted(io_thread_cpus(server), key=min) == planned

        def unpinned():
            return all(m == set(self.cpus) for m in io_thread_cpus(server))

        # At once on a quiet machine; a busy one (a build beside the
        # tests) has the watcher wait for its turn, as it should.
        eventually(pinned, 40, "each I/O thread pinned to a CPU of its own")
        before = pin_changes(server)
        # A busy loop on the first I/O thread's CPU, as a browser filling it.
        hog = subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"],
                               preexec_fn=lambda: os.sched_setaffinity(0, {self.cpus[0]}))
        try:
            eventually(unpinned, 5, "the I/O threads unpinned beside a busy loop")
            # Still there a window after the next try (2 s on): unpinned
            # again, for twice as long.
            time.sleep(4)
            self.assertTrue(unpinned(), io_thread_cpus(server))
            self.assertGreater(pin_changes(server)["unpinned"], before["unpinned"])
        finally:
            hog.kill()
            hog.wait()
        # Gone: the next try (at most the longest wait) keeps them.
        eventually(pinned, 40, "the I/O threads pinned again once the loop ended")
        self.assertGreater(pin_changes(server)["pinned"], before["pinned"])

    def test_off_and_a_list_are_kept_whatever_the_neighbours_do(self):
        listed = Server("--browser", "none", "--io-threads", "2",
                        "--io-thread-cpus", f"{self.cpus[-1]},{self.cpus[0]}")
        off = Server("--browser", "none", "--io-thread-cpus", "off")
        listed, off = self.enterContext(listed), self.enterContext(off)
        hog = subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"],
                               preexec_fn=lambda: os.sched_setaffinity(0, {self.cpus[-1]}))
        try:
            time.sleep(2)
            self.assertEqual(sorted(io_thread_cpus(listed), key=min),
                             sorted([{self.cpus[-1]}, {self.cpus[0]}], key=min))
            self.assertTrue(all(m == set(self.cpus) for m in io_thread_cpus(off)))
            self.assertEqual(pin_changes(listed), {"unpinned": 0, "pinned": 0})
        finally:
            hog.kill()
            hog.wait()


if __name__ == "__main__":
    unittest.main()
