"""compare.py --repeat: several passes of the table combined into one."""
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench"))
import pass_medians  # noqa: E402


def record(metric, ours, peer=None, met=None, scenario="fan-out", target="",
           peer_name="nchan"):
    return {"scenario": scenario, "metric": metric, "agenttheo": ours,
            "peer": peer_name, "peer_value": peer, "target": target, "met": met}


class PassMediansTest(unittest.TestCase):
    def test_each_figure_is_the_median_of_the_passes(self):
        passes = [[record("p50 ms", 9.0, 5.0)], [record("p50 ms", 4.0, 6.0)],
                  [record("p50 ms", 7.0, 4.0)]]
        [row] = pass_medians.combine(passes)
        self.assertEqual((row["agenttheo"], row["peer_value"]), (7.0, 5.0))
        self.assertEqual(row["passes"], 3)

    def test_counts_stay_whole(self):
        [row] = pass_medians.combine([[record("cut", 44)], [record("cut", 44)]])
        self.assertIsInstance(row["agenttheo"], int)
        [split] = pass_medians.combine([[record("cut", 3)], [record("cut", 4)]])
        self.assertEqual(split["agenttheo"], 3.5)

    def test_a_comparison_is_judged_on_the_medians(self):
        # Each pass alone misses "<= nchan" (ours is worse whenever nchan
        # has its good pass), yet the medians meet it: 6 <= 7.
        passes = [[record("p99 ms", 6.0, 5.0, met=False, target="<= nchan")],
                  [record("p99 ms", 9.0, 7.0, met=False, target="<= nchan")],
                  [record("p99 ms", 5.0, 8.0, met=True, target="<= nchan")]]
        [row] = pass_medians.combine(passes)
        self.assertEqual((row["met"], row["met_passes"], row["passes"]), (True, 1, 3))

    def test_the_target_is_the_one_the_passes_checked(self):
        # fan-out sets "<= nchan" only in a pass where nchan kept up: a
        # first pass without it must not leave the row judged on no target.
        passes = [[record("p50 ms", 9.0, 5.0)],
                  [record("p50 ms", 4.0, 5.0, met=True, target="<= nchan")],
                  [record("p50 ms", 6.0, 8.0, met=False, target="<= nchan")]]
        [row] = pass_medians.combine(passes)
        self.assertEqual(row["target"], "<= nchan")
        self.assertFalse(row["met"], "median 6.0 against 5.0")

    def test_targets_with_a_factor_a_peer_or_a_bound(self):
        judge = pass_medians.judged_on_medians
        self.assertTrue(judge("<= 0.5x guide", 1.0, 2.0))
        self.assertFalse(judge("<= 0.5x guide", 1.1, 2.0))
        self.assertTrue(judge(">= 5x nchan", 10.0, 2.0))
        self.assertFalse(judge("< 2x", 4.0, 2.0))
        self.assertTrue(judge("<= 1", 0.5, None))
        self.assertFalse(judge("<= 8", 9, None))
        self.assertIsNone(judge("<= nchan", 1.0, None), "no peer figure, no verdict")
        self.assertIsNone(judge("<= 8 KiB", 1, None))
        self.assertIsNone(judge("within bounds", 1, 2))

    def test_any_other_target_is_met_when_most_passes_met_it(self):
        def passes(*verdicts):
            return [[record("missing / duplicate", "0 / 0", "0 / 0", met=v,
                            target="0 / 0")] for v in verdicts]
        [met] = pass_medians.combine(passes(True, False, True))
        [missed] = pass_medians.combine(passes(True, False, False))
        [tied] = pass_medians.combine(passes(True, False))
        self.assertEqual((met["met"], met["met_passes"]), (True, 2))
        self.assertEqual((missed["met"], missed["met_passes"]), (False, 1))
        self.assertFalse(tied["met"], "half the passes is not most of them")
        self.assertEqual(met["target"], "0 / 0")

    def test_a_row_without_a_target_has_no_verdict(self):
        [row] = pass_medians.combine([[record("deliveries/s", 10)]] * 3)
        # A target shown but never checked (">= 10x cheaper") stays unjudged.
        [shown] = pass_medians.combine([[record("cpu", 1.0, 20.0, target=">= 10x")]])
        self.assertIsNone(shown["met"])
        self.assertIsNone(row["met"])
        self.assertIsNone(row["met_passes"])

    def test_texts_that_differ_are_all_shown(self):
        passes = [[record("missing / duplicate", "0 / 0")],
                  [record("missing / duplicate", "3 / 0")],
                  [record("missing / duplicate", "0 / 0")]]
        [row] = pass_medians.combine(passes)
        self.assertEqual(row["agenttheo"], "0 / 0, 3 / 0")
        same = pass_medians.combine([passes[0], passes[0]])
        self.assertEqual(same[0]["agenttheo"], "0 / 0")

    def test_rows_keep_their_order_and_a_row_some_passes_lack(self):
        first = [record("p50 ms", 1.0), record("p99 ms", 2.0)]
        second = [record("p50 ms", 3.0), record("ttft ms", 0.5),
                  record("p99 ms", 4.0)]
        rows = pass_medians.combine([first, second])
        self.assertEqual([r["metric"] for r in rows], ["p50 ms", "p99 ms", "ttft ms"])
        self.assertEqual(rows[1]["agenttheo"], 3.0)
        self.assertEqual((rows[2]["agenttheo"], rows[2]["passes"]), (0.5, 1))

    def test_the_same_metric_of_two_scenarios_stays_apart(self):
        rows = pass_medians.combine([[record("p50 ms", 1.0, scenario="a"),
                                      record("p50 ms", 9.0, scenario="b")]])
        self.assertEqual([r["agenttheo"] for r in rows], [1.0, 9.0])

    def test_the_same_metric_against_two_peers_stays_apart(self):
        one_pass = [record("p99 ms", 9.0, 5.0),
                    record("p99 ms", 9.0, 7.0, peer_name="unpaced")]
        rows = pass_medians.combine([one_pass, one_pass])
        self.assertEqual([(r["peer"], r["peer_value"]) for r in rows],
                         [("nchan", 5.0), ("unpaced", 7.0)])

    def test_missing_figures_are_left_out_of_the_median(self):
        passes = [[record("p50 ms", None, 2.0)], [record("p50 ms", 8.0, None)]]
        [row] = pass_medians.combine(passes)
        self.assertEqual((row["agenttheo"], row["peer_value"]), (8.0, 2.0))
        [none] = pass_medians.combine([[record("p50 ms", None)]])
        self.assertIsNone(none["agenttheo"])


if __name__ == "__main__":
    unittest.main()
