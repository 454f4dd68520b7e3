"""The load generator's --trace: every timed token it read, a line each in
one file per load process, agreeing with its own report — through the real
server, and read from the upstream directly."""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench"))
import compare  # noqa: E402
import trace_tail  # noqa: E402

RUNS, TOKENS, RATE = 4, 30, 20
# The upstream read directly keeps its connections open after the last
# token: the load ends at --duration, a second after the tokens do.
DIRECT = ("--kind", "post", "--path", "/v1/chat/completions",
          "--body", '{"model":"m","stream":true,"messages":[]}',
          "--duration", TOKENS / RATE + 1)


def bucket_floor(us):
    """latency_histogram's bucket for `us`, as its lower bound: the report's
    quantiles are these."""
    if us < 128:
        return us
    msb = us.bit_length() - 1
    within = (us >> (msb - 6)) & 63
    return (64 + within) << (msb - 6)


def read_trace(prefix, procs):
    """The trace's lines, once each load process has written its file."""
    for k in range(procs):
        assert os.path.exists(f"{prefix}.{k}"), f"no trace from load process {k}"
    return trace_tail.load(prefix)


class LoadgenTraceTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory(prefix="loadgen-trace-")
        self.prefix = os.path.join(self.folder.name, "tokens")
        self.upstream = compare.token_upstream(TOKENS, RATE)

    def tearDown(self):
        self.upstream.stop()
        self.folder.cleanup()

    def load(self, service, *args):
        return compare.loadgen(service, "--connections", RUNS, "--procs", 2,
                               "--warmup-ms", 300, *args)

    def test_each_timed_token_through_the_server_is_a_line(self):
        server = compare.agenttheo(self.upstream)
        try:
            report = self.load(server, "--path", "/stream?command=go&messageId=tr{i}",
                               "--expect", TOKENS, "--duration", 30,
                               "--trace", self.prefix)
        finally:
            server.stop()
        self.assertEqual(report["gaps"], 0)
        rows = read_trace(self.prefix, 2)
        self.assertEqual(len(rows), report["timed"])
        self.assertLess(report["timed"], report["deliveries"])  # the warm-up is not traced
        streams = {}
        for sent, received, stream, ordinal in rows:
            self.assertGreaterEqual(received, sent)
            streams.setdefault(stream, []).append(ordinal)
        self.assertEqual(sorted(streams), list(range(RUNS)))
        for ordinals in streams.values():
            # Each stream's timed tokens: consecutive, up to the run's last.
            self.assertEqual(ordinals, list(range(ordinals[0], TOKENS + 1)))
        latencies = [(received - sent) // 1000 for sent, received, _, _ in rows]
        for q, key in ((0.5, "p50_ms"), (0.99, "p99_ms")):
            self.assertAlmostEqual(bucket_floor(trace_tail.quantile(latencies, q)) / 1000,
                                   report[key], places=3)

    def test_a_direct_read_has_no_ordinals(self):
        report = self.load(self.upstream, *DIRECT, "--trace", self.prefix)
        rows = read_trace(self.prefix, 2)
        self.assertEqual(len(rows), report["timed"])
        self.assertGreater(len(rows), 0)
        self.assertEqual({ordinal for *_, ordinal in rows}, {-1})

    def test_a_trace_that_cannot_be_written_leaves_the_load_as_it_is(self):
        argv = compare.loadgen_argv(self.upstream, *DIRECT, "--connections", RUNS,
                                    "--trace", os.path.join(self.prefix, "absent", "t"))
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("cannot write the trace", out.stderr)
        self.assertEqual(compare.loadgen_report(out.stdout)["deliveries"], RUNS * TOKENS)


if __name__ == "__main__":
    unittest.main()
