"""Guardrails against a model that wastes its steps: the real binary, real
Chromium on the server's own demo pages, and the scripted OpenAI-compatible
upstream playing a model that repeats one click on a page it does not change
(told so in its next request, then stopped with `loop_detected`), and one
whose calls keep failing (stopped with `too_many_failures`)."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import UpstreamModel, reply, tool_calls  # noqa: E402
from test_agent_browser import serve_pages  # noqa: E402

NUDGE = "You are repeating yourself"


class Guardrails(UpstreamModel, ServerTestCase):
    model_flags = ("--screenshot-after-actions", "false")

    @classmethod
    def setUpClass(cls):
        cls.pages_port = serve_pages(cls)
        super().setUpClass()

    def setUp(self):
        self.upstream.requests.clear()

    def products(self):
        return f"http://127.0.0.1:{self.server.port}/demo/products.html"

    def run_events(self, message_id, **params):
        return SseStream(self.server.port, stream_path(
            "list the products", messageId=message_id, **params),
            timeout=90).read_all()

    def test_a_repeated_click_is_nudged_then_stopped(self):
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.products()})]),
            # The same click six times, written two ways: the heading does
            # nothing, so the page stays as it was.
            *[tool_calls([("click", {"target": "h1" if i % 2 else " h1 "})])
              for i in range(6)],
            reply(["never asked for"]))
        events = self.run_events("loop-1")
        last = events[-1]
        self.assertEqual(last.type, "error", last.data)
        self.assertEqual(last.data["code"], "loop_detected")
        self.assertIn('click {"target":"h1"}', last.data["message"])
        self.assertIn("6 times", last.data["message"])
        clicks = [e.data for e in events if e.type == "tool_end"][1:]
        self.assertEqual([c["ok"] for c in clicks], [True] * 6)

        # Asked 7 times: the turn after each call; none after the sixth click.
        requests = self.upstream.requests
        self.assertEqual(len(requests), 7)
        told = [sum(NUDGE in (m["content"] or "") for m in r["body"]["messages"])
                for r in requests]
        # The third click's result comes with the nudge, once; it stays in
        # the conversation the model sees after it.
        self.assertEqual(told, [0, 0, 0, 0, 1, 1, 1])
        last_message = requests[4]["body"]["messages"][-1]
        self.assertEqual(last_message["role"], "user")
        nudge = last_message["content"]
        self.assertIn('`click {"target":"h1"}` 3 times on ' + self.products(), nudge)
        self.assertIn(f'navigate_to {{"url":"{self.products()}"}}', nudge)
        warnings = [e.data for e in events if e.type == "custom"
                    and e.data.get("kind") == "loop_warning"]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertEqual(warnings[0]["repeats"], 3)
        self.assertEqual(warnings[0]["action"], 'click {"target":"h1"}')
        self.assertEqual(warnings[0]["url"], self.products())
        self.assertEqual(warnings[0]["message"], nudge)

    def test_scrolling_down_a_long_page_is_no_loop(self):
        # The same call, but each one shows another part of the page.
        table = f"http://127.0.0.1:{self.pages_port}/long_table.html"
        self.upstream.play(
            tool_calls([("navigate_to", {"url": table})]),
            *[tool_calls([("scroll", {"direction": "down", "amount": 200})])
              for _ in range(4)],
            reply(["Four products."]))
        events = self.run_events("scroll-1")
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        self.assertFalse([e for e in events if e.type == "custom"
                          and e.data.get("kind") == "loop_warning"])

    def test_failures_in_a_row_end_the_run_with_what_failed(self):
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.products()})]),
            tool_calls([("click", {"target": "A button that is not there"})]),
            tool_calls([("get_title", {})]),
            tool_calls([("click", {"target": "Nothing like it"})]),
            tool_calls([("click", {"target": "Still nothing"})]),
            reply(["never asked for"]))
        events = self.run_events("fail-1", max_failures="2")
        last = events[-1]
        self.assertEqual(last.type, "error", last.data)
        self.assertEqual(last.data["code"], "too_many_failures")
        message = last.data["message"]
        self.assertTrue(message.startswith("2 tool calls failed in a row:"), message)
        self.assertIn('click {"target":"Nothing like it"}: ', message)
        self.assertIn('click {"target":"Still nothing"}: ', message)
        # The failure before get_title succeeded is not part of the row.
        self.assertNotIn("A button that is not there", message)
        self.assertEqual(len(self.upstream.requests), 5)
        state = self.server.call("GET", "/api/runs/fail-1/events")[1]
        self.assertEqual(state["events"][-1]["type"], "error")


if __name__ == "__main__":
    unittest.main()
