"""compare.py's rig: the token upstream and the load generator run at the
niceness asked for, a refusal leaves them as started, and --against says
when a saved run's rig ran at another niceness."""
import contextlib
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench"))
import compare  # noqa: E402

# The child's own niceness, as the kernel keeps it.
READ_NICENESS = [sys.executable, "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"]


def rig_child_niceness(nice):
    with mock.patch.object(compare, "RIG_NICE", [nice]):
        out = subprocess.run(READ_NICENESS, preexec_fn=compare.rig_priority,
                             capture_output=True, text=True, check=True)
    return int(out.stdout)


class RigNiceTest(unittest.TestCase):
    def test_the_default_gives_the_rig_precedence(self):
        self.assertEqual(compare.RIG_NICE, [-10])

    def test_the_rig_runs_at_the_niceness_asked(self):
        # Raising niceness needs no privilege, so this runs as any user.
        start = os.getpriority(os.PRIO_PROCESS, 0)
        self.assertEqual(rig_child_niceness(5), min(19, start + 5))
        self.assertEqual(rig_child_niceness(0), start)

    def test_a_refused_niceness_leaves_the_rig_as_started(self):
        refused = mock.patch.object(os, "setpriority",
                                    side_effect=PermissionError(13, "refused"))
        with refused, mock.patch.object(compare, "RIG_NICE", [-10]):
            compare.rig_priority()  # does not raise: the child would not start

    def against_output(self, saved_nice, now_nice):
        saved = {"commit": "abc1234", "date": "2026-12-07",
                 "rows": [{"scenario": "s", "metric": "added p50 us", "agenttheo": 200}]}
        if saved_nice is not None:
            saved["rig_nice"] = saved_nice
        table = types.SimpleNamespace(
            records=[{"scenario": "s", "metric": "added p50 us", "agenttheo": 100}])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "saved.json")
            with open(path, "w") as f:
                json.dump(saved, f)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), \
                    mock.patch.object(compare, "RIG_NICE", [now_nice]):
                compare.print_against(table, path)
        return out.getvalue()

    def test_against_says_when_the_saved_rig_ran_at_another_niceness(self):
        text = self.against_output(0, -10)
        self.assertIn("rig ran at nice 0, this one's at -10", text)
        self.assertIn("| s | added p50 us | 200 | 100 | 0.50x |", text)

    def test_against_a_run_saved_before_the_setting_existed(self):
        self.assertIn("rig ran at nice 0", self.against_output(None, -10))
        self.assertNotIn("not comparable", self.against_output(None, 0))

    def test_against_the_same_niceness_says_nothing_more(self):
        self.assertNotIn("not comparable", self.against_output(-10, -10))


if __name__ == "__main__":
    unittest.main()
