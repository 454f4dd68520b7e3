"""Budgets and cost: the real binary, real Chromium for the tool steps, and
the scripted OpenAI-compatible upstream, priced by an LLM_PRICES file of the
test's own. Usage and cost add up per run, per session and in /metrics;
max_tokens and max_cost_usd cut a streaming call mid-stream (the upstream
sees the connection go), max_duration ends a stalled one, and a session's
limit holds across its runs."""

import json
import os
import re
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import UpstreamModel, reply, stall, tool_calls  # noqa: E402


# The price files the tests write go in here, removed at exit.
SCRATCH = tempfile.TemporaryDirectory(prefix="agenttheo-prices-")


def price_file(input_per_mtok, output_per_mtok):
    folder = tempfile.mkdtemp(dir=SCRATCH.name)
    path = os.path.join(folder, "prices.json")
    with open(path, "w") as f:
        json.dump({"vendor/test-model": {"input_per_mtok": input_per_mtok,
                                         "output_per_mtok": output_per_mtok,
                                         "as_of": "test"}}, f)
    return path


class PricedUpstream(UpstreamModel, ServerTestCase):
    """A server whose model, `test-model`, costs `prices` per million
    tokens (found under its prefixed name `vendor/test-model`)."""

    prices = (0, 0)

    @classmethod
    def more_flags(cls):
        return ("--llm-prices", price_file(*cls.prices),
                "--screenshot-after-actions", "false", *cls.model_flags)

    def run_events(self, message_id, command="what is the title?", **params):
        return SseStream(self.server.port, stream_path(
            command, messageId=message_id, **params), timeout=60).read_all()

    def wait_for_disconnect(self):
        """The upstream notices the cut at its next write (20 ms apart)."""
        deadline = time.monotonic() + 10
        while not self.upstream.disconnects and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(len(self.upstream.disconnects), 1)

    def run_view(self, sid, message_id):
        session = self.server.call("GET", f"/api/sessions/{sid}")[1]
        return next(r for r in session["runs"] if r["messageId"] == message_id)


class Budgets(PricedUpstream):
    # Prompt tokens free, each completion token a tenth of a cent.
    prices = (0, 1000)

    def metric(self, name, labels=""):
        _, _, body = self.server.get("/metrics")
        for line in body.decode().splitlines():
            if line.startswith(name + (labels and "{" + labels + "}") + " "):
                return float(line.split()[-1])
        return 0.0

    def test_usage_and_cost_add_up_per_run_session_and_process(self):
        cost_before = self.metric("agenttheo_llm_cost_usd_total")
        prompt_before = self.metric("agenttheo_llm_tokens_total", 'kind="prompt"')
        self.upstream.play(
            tool_calls([("get_title", {})], usage=(30, 9)),
            reply(["It is ", "blank."], usage=(40, 8)))
        events = self.run_events("usage-1")
        done = events[-1]
        self.assertEqual(done.type, "complete", done.data)
        usage = done.data["usage"]
        self.assertEqual(usage, {"prompt_tokens": 70, "completion_tokens": 17,
                                 "total_tokens": 87, "model_calls": 2,
                                 "tool_calls": 1, "cost_usd": usage["cost_usd"]})
        self.assertAlmostEqual(usage["cost_usd"], 17 * 1000 / 1e6)
        sid = events[0].data["session"]
        session = self.server.call("GET", f"/api/sessions/{sid}")[1]
        self.assertEqual(session["usage"], usage)
        self.assertEqual(self.run_view(sid, "usage-1")["usage"], usage)
        self.assertAlmostEqual(self.metric("agenttheo_llm_cost_usd_total") - cost_before,
                               0.017, places=9)
        self.assertEqual(self.metric("agenttheo_llm_tokens_total", 'kind="prompt"')
                         - prompt_before, 70)

    def test_max_cost_usd_cuts_the_streaming_call_that_crosses_it(self):
        # 9 completion tokens of the first call cost $0.009; the second
        # call's second token takes the run past $0.0105.
        self.upstream.play(
            tool_calls([("get_title", {})], usage=(30, 9)),
            reply([f"w{i} " for i in range(400)], delay=0.02))
        events = self.run_events("cost-1", max_cost_usd="0.0105")
        last = events[-1]
        self.assertEqual((last.type, last.data["code"]), ("error", "budget_exceeded"),
                         last.data)
        self.assertTrue(last.data["final"])
        self.assertEqual(last.data["message"],
                         "max_cost_usd: the run cost $0.0110; the limit is $0.0105")
        self.assertEqual(len([e for e in events if e.type == "token"]), 2)
        self.assertEqual(len(self.upstream.requests), 2)
        self.wait_for_disconnect()
        view = self.run_view(events[0].data["session"], "cost-1")
        self.assertEqual(view["outcome"], "failed")
        self.assertEqual(view["usage"]["model_calls"], 2)
        self.assertAlmostEqual(view["usage"]["cost_usd"], 0.011)

    def test_max_tokens_cuts_the_streaming_call_that_crosses_it(self):
        # A limit of 1 is passed by the prompt alone, before any call: its
        # message says what the prompt would take.
        self.upstream.play(reply(["never"]))
        first = self.run_events("tokens-0", max_tokens="1")[-1]
        self.assertEqual(first.data["code"], "budget_exceeded")
        self.assertEqual(self.upstream.requests, [])
        prompt = int(re.search(r"would use ([\d,]+) tokens", first.data["message"])
                     .group(1).replace(",", ""))
        # The system prompt and the tools' schemas, in the main.
        self.assertGreater(prompt, 1000)
        # With room for 50 more, the 51st streamed token cuts the call.
        self.upstream.play(reply([f"w{i} " for i in range(400)], delay=0.02))
        events = self.run_events("tokens-1", max_tokens=str(prompt + 50))
        last = events[-1]
        self.assertEqual((last.type, last.data["code"]), ("error", "budget_exceeded"),
                         last.data)
        self.assertEqual(last.data["message"],
                         f"max_tokens: the run used {prompt + 51:,} tokens; "
                         f"the limit is {prompt + 50:,}")
        self.assertEqual(len([e for e in events if e.type == "token"]), 51)
        self.wait_for_disconnect()

    def test_max_duration_ends_a_stalled_call(self):
        self.upstream.play(stall(["thinking"], seconds=20))
        events = self.run_events("slow-1", max_duration="1s")
        last = events[-1]
        self.assertEqual((last.type, last.data["code"]), ("error", "budget_exceeded"))
        self.assertEqual(last.data["message"],
                         "max_duration: the run took longer than 1,000 ms")
        self.wait_for_disconnect()

    def test_bad_budgets_answer_400(self):
        for params in ({"max_tokens": "0"}, {"max_tokens": "x"},
                       {"max_cost_usd": "0"}, {"max_cost_usd": "-1"},
                       {"max_duration": "0s"}, {"max_duration": "8d"}):
            with self.subTest(params=params):
                status, _, body = self.server.get(stream_path("hi", **params))
                self.assertEqual(status, 400)
                self.assertEqual(json.loads(body)["error"]["code"], "bad_budget")
        _, made = self.server.call("POST", "/api/sessions")
        status, body = self.server.call("POST", f"/api/sessions/{made['id']}/runs",
                                        {"command": "x", "max_cost_usd": "cheap"})
        self.assertEqual((status, body["error"]["code"]), (400, "bad_budget"))


class SessionBudget(PricedUpstream):
    prices = (0, 1000)
    model_flags = ("--session-max-cost-usd", "0.02")

    def test_a_session_limit_holds_across_its_runs(self):
        self.upstream.play(reply([f"a{i} " for i in range(12)], usage=(12, 12)))
        events = self.run_events("s-1")
        self.assertEqual(events[-1].type, "complete")
        sid = events[0].data["session"]
        # $0.012 spent; the next run's ninth token passes $0.02.
        self.upstream.play(reply([f"b{i} " for i in range(400)], delay=0.02))
        events = self.run_events("s-2", session=sid)
        last = events[-1]
        self.assertEqual(last.data["code"], "budget_exceeded", last.data)
        self.assertEqual(last.data["message"], "SESSION_MAX_COST_USD: the session's "
                         "runs cost $0.0210; the limit is $0.0200")
        # Nothing more is spent in it: the next run ends before its call.
        self.upstream.play(reply(["never"]))
        last = self.run_events("s-3", session=sid)[-1]
        self.assertEqual(last.data["code"], "budget_exceeded")
        self.assertIn("would cost $0.0210 with the next model call", last.data["message"])
        self.assertEqual(self.upstream.requests, [])
        session = self.server.call("GET", f"/api/sessions/{sid}")[1]
        self.assertEqual(session["usage"]["model_calls"], 2)
        self.assertAlmostEqual(session["usage"]["cost_usd"], 0.021)


if __name__ == "__main__":
    unittest.main()
