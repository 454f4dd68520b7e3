"""trace_tail.py's reading of per-token traces, and compare.py --trace's
naming of them (no server: traces written here)."""
import os
import pathlib
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench"))
import compare  # noqa: E402
import trace_tail  # noqa: E402

MS = 1_000_000


def run_of(streams, tokens, every_ms, latency_us, last_latency_us):
    """Rows as the load generator writes them: `streams` streams of `tokens`
    tokens each, every stream's last token late."""
    rows = []
    for k in range(tokens):
        for s in range(streams):
            sent = k * every_ms * MS + s * 1000
            us = last_latency_us if k == tokens - 1 else latency_us
            rows.append((sent, sent + us * 1000, s, k + 1))
    return rows


class TraceTailTest(unittest.TestCase):
    def test_a_tail_of_last_tokens_is_named_as_such(self):
        # 10 streams x 100 tokens: the 10 last tokens are 1% of 1,000.
        s = trace_tail.summarize(run_of(10, 100, 50, 200, 3000))
        self.assertEqual(s["tokens"], 1000)
        self.assertEqual(s["streams"], 10)
        self.assertEqual(s["p50_us"], 200)
        self.assertEqual(s["p99_us"], 3000)
        self.assertEqual(s["p99_without_last_us"], 200)
        self.assertEqual(s["last_p50_us"], 3000)
        self.assertEqual((s["tail_last"], s["tail"]), (10, 10))
        # All in the pass's last 100 ms, of 50 bins (5 s).
        self.assertEqual((s["tail_bins"], s["bins"]), (1, 50))

    def test_a_stall_fills_few_bins_a_spread_queue_many(self):
        stall = run_of(10, 100, 50, 200, 200)
        # A 50 ms stall: every token sent in it waits.
        stall = [(t, r + (3_000_000 if 2000 * MS <= t < 2050 * MS else 0), s, c)
                 for t, r, s, c in stall]
        self.assertEqual(trace_tail.summarize(stall)["tail_bins"], 1)
        spread = [(t, r + (3_000_000 if c % 10 == 0 and s == 0 else 0), s, c)
                  for t, r, s, c in run_of(10, 100, 50, 200, 200)]
        s = trace_tail.summarize(spread)
        self.assertEqual(s["tail"], 10)
        self.assertEqual(s["tail_bins"], 10)
        self.assertEqual(s["tail_last"], 1)  # stream 0's 100th

    def test_every_line_of_the_table_has_its_columns(self):
        header_cells = 8
        full = trace_tail.row("t", trace_tail.summarize(run_of(2, 5, 50, 100, 100)))
        empty = trace_tail.row("t", trace_tail.summarize([]))
        self.assertEqual(full.count("|"), header_cells + 1)
        self.assertEqual(empty.count("|"), header_cells + 1)

    def test_traces_are_read_from_every_process_file(self):
        rows = run_of(4, 10, 50, 300, 300)
        with tempfile.TemporaryDirectory() as d:
            prefix = os.path.join(d, "sessions-agenttheo-1")
            for k in range(2):
                with open(f"{prefix}.{k}", "w") as f:
                    for sent, received, stream, count in rows[k::2]:
                        f.write(f"{sent} {received} {stream} {count}\n")
            with open(os.path.join(d, "notes.txt"), "w") as f:
                f.write("not a trace\n")
            self.assertEqual(trace_tail.traces_in(d), [prefix])
            self.assertEqual(sorted(trace_tail.load(prefix)), sorted(rows))

    def test_compare_names_each_pass_of_each_system(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(compare.traced("guide"), [])  # no --trace
            with mock.patch.object(compare, "TRACE_DIR", [d]):
                first = compare.traced("guide")
                self.assertEqual(first, ["--trace", os.path.join(d, "sessions-guide-1")])
                open(first[1] + ".0", "w").close()  # the load generator wrote it
                self.assertEqual(compare.traced("guide")[1],
                                 os.path.join(d, "sessions-guide-2"))
                self.assertEqual(compare.traced("floor")[1],
                                 os.path.join(d, "sessions-floor-1"))


if __name__ == "__main__":
    unittest.main()
