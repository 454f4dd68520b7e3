"""core_waits.py's windows and their split by p99 (no server: samples made
here), and its reading of the kernel's schedstat (this process's own)."""
import os
import pathlib
import sys
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench"))
import compare  # noqa: E402
import core_waits  # noqa: E402

MS = 1_000_000
IO = compare.IO_THREAD


def sample(at_ms, io_ran_ms, io_waited_ms, upstream_ran_ms, idle_ticks):
    """A reading at `at_ms` as the sampler takes it: two I/O threads and a
    thread of another name in the server (cumulative ns, as schedstat
    counts), the upstream's CPU, a load generator that runs half of each
    window from the second on, the machine's idle ticks."""
    server = {
        "11": (IO, io_ran_ms[0] * MS, io_waited_ms[0] * MS),
        "12": (IO, io_ran_ms[1] * MS, io_waited_ms[1] * MS),
        "13": ("caf.actor", 500 * MS, 500 * MS),
    }
    loadgen = {31: at_ms // 2 * MS} if at_ms else {}
    return at_ms * MS, server, upstream_ran_ms * MS, loadgen, idle_ticks


def tokens(from_ms, to_ms, latency_ms, every_ms=1):
    return [(t * MS, t * MS + int(latency_ms * MS), 0, t)
            for t in range(from_ms, to_ms, every_ms)]


class CoreWaitsTest(unittest.TestCase):
    def setUp(self):
        # Ten 200 ms windows. In the fourth the first I/O thread ran 120 ms
        # and waited 70 ms for its core, and its tokens took 20 ms; in the
        # others it ran 100 ms and waited 10, and tokens took 0.5 ms. The
        # second thread ran 5 ms a window only in the first five.
        # The machine idles 0.5 of a core, none in the fourth window.
        self.samples, ran, waited, second, idle = [], 0, 0, 0, 0
        for k in range(11):
            self.samples.append(sample(k * 200, (ran, second), (waited, 0), k * 60, idle))
            idle += 0 if k == 3 else 10
            ran += 120 if k == 3 else 100
            waited += 70 if k == 3 else 10
            second += 5 if k < 5 else 0
        self.tokens = sorted(tokens(0, 600, 0.5) + tokens(600, 800, 20)
                             + tokens(800, 2000, 0.5))

    def windows(self):
        # 100 ticks a second: 10 ticks of a 200 ms window is half a core.
        return list(core_waits.windows(self.samples, self.tokens, IO, ticks_per_s=100))

    def test_each_window_holds_the_tokens_written_in_it(self):
        rows = self.windows()
        self.assertEqual(len(rows), 10)
        self.assertEqual([len(r.latency) for r in rows], [200] * 10)
        self.assertEqual(core_waits.quantile(rows[3].latency, .99), 20)
        self.assertEqual(core_waits.quantile(rows[2].latency, .99), 0.5)

    def test_shares_are_of_the_window_and_only_of_io_threads(self):
        rows = self.windows()
        io = rows[3].io
        # The second thread (5 ms of 200) and the first; not caf.actor.
        self.assertEqual(len(io), 2)
        self.assertAlmostEqual(io[0][0], 0.6)
        self.assertAlmostEqual(io[0][1], 0.35)
        self.assertAlmostEqual(io[1][0], 0.025)
        self.assertAlmostEqual(rows[3].upstream, 0.3)
        # A thread that ran nothing in a window is not counted as running.
        self.assertEqual(len(rows[7].io), 1)

    def test_the_load_generator_and_idle_cores_per_window(self):
        rows = self.windows()
        # The load generator appears in the second reading: nothing before.
        self.assertEqual(rows[0].loadgen, 0)
        self.assertAlmostEqual(rows[1].loadgen, 0.5)
        self.assertAlmostEqual(rows[2].idle, 0.5)
        self.assertEqual(rows[3].idle, 0)

    def test_the_slowest_window_is_the_one_whose_thread_waited(self):
        parts = core_waits.summary(self.windows())
        slow, rest = parts["slowest tenth"], parts["the rest"]
        self.assertEqual((slow["windows"], rest["windows"]), (1, 9))
        self.assertEqual(slow["p99_ms"], 20)
        self.assertAlmostEqual(slow["busiest"], 0.95)
        self.assertAlmostEqual(rest["busiest"], 0.55)
        self.assertAlmostEqual(slow["wait"], 0.35)
        self.assertAlmostEqual(rest["threads"], (4 * 2 + 5 * 1) / 9)
        self.assertEqual(slow["idle"], 0)
        self.assertAlmostEqual(rest["idle"], 0.5)

    def test_schedstat_reads_this_process_threads(self):
        started, stop = threading.Event(), threading.Event()

        def wait_for_the_reading():
            started.set()
            stop.wait(5)

        helper = threading.Thread(target=wait_for_the_reading)
        helper.start()
        started.wait(5)
        try:
            found = core_waits.schedstat(os.getpid())
        finally:
            stop.set()
            helper.join()
        self.assertGreaterEqual(len(found), 2)
        comm, ran, waited = found[str(os.getpid())]
        self.assertTrue(comm)
        self.assertGreater(ran, 0)
        self.assertGreaterEqual(waited, 0)
        self.assertEqual(core_waits.schedstat(2 ** 22 + 7), {})


if __name__ == "__main__":
    unittest.main()
