"""A model drives the browser: the real binary talks to the scripted
OpenAI-compatible upstream, whose turns ask for tool calls (one, then two in
parallel, then one that fails) before answering. Checks the events, and what
the model was sent back each turn: tool results matched to their call ids,
the failure as an error, and the conversation carried into the next run."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import UpstreamModel, reply, tool_calls  # noqa: E402


class ModelDrivesBrowser(UpstreamModel, ServerTestCase):
    def products(self):
        return f"http://127.0.0.1:{self.server.port}/demo/products.html"

    def test_tool_calls_parallel_calls_and_a_failing_tool(self):
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.products()})]),
            tool_calls([("get_title", {}), ("get_page_text", {"max_chars": 2000})]),
            tool_calls([("click", {"target": "A button that is not there"})]),
            reply(["Four products; ", "the watering can costs $12.50."],
                  usage=(40, 8)))
        events = SseStream(self.server.port, stream_path(
            "what do the products cost?", messageId="model-1"),
            timeout=60).read_all()
        done = events[-1]
        self.assertEqual(done.type, "complete", done.data)
        self.assertEqual(done.data["result"],
                         "Four products; the watering can costs $12.50.")
        self.assertEqual(done.data["steps"], 4)
        self.assertEqual(done.data["usage"]["prompt_tokens"], 30 * 3 + 40)
        self.assertEqual(done.data["usage"]["completion_tokens"], 9 * 3 + 8)
        ends = [e.data for e in events if e.type == "tool_end"]
        # The two calls of step 2 may finish in either order.
        self.assertEqual([(e["tool_name"], e["ok"]) for e in ends[:1] + ends[3:]],
                         [("navigate_to", True), ("click", False)])
        parallel = {e["tool_name"]: e for e in ends[1:3]}
        self.assertEqual(parallel["get_title"]["output"],
                         "Products - Demo Garden Shop")
        self.assertIn("Watering can", parallel["get_page_text"]["output"])
        # Step 2 ran both calls before the next turn began.
        flow = [e.type for e in events
                if e.type in ("tool_start", "tool_end", "progress")]
        self.assertEqual(flow[:3], ["progress", "tool_start", "tool_end"])
        self.assertEqual(flow[3], "progress")
        self.assertEqual(sorted(flow[4:8]), ["tool_end"] * 2 + ["tool_start"] * 2)
        self.assertEqual(flow[8], "progress")
        # A model decides as it goes: no total is claimed, the limit is said.
        progress = [e.data for e in events if e.type == "progress"]
        self.assertEqual([(p["step"], p["total_known"], p["max_steps"]) for p in progress],
                         [(1, False, 10), (2, False, 10), (3, False, 10), (4, False, 10)])

        requests = [r["body"] for r in self.upstream.requests]
        self.assertEqual(len(requests), 4)
        self.assertTrue(all(r["stream"] and r["tools"] for r in requests))
        names = {t["function"]["name"] for t in requests[0]["tools"]}
        self.assertTrue({"navigate_to", "click", "get_page_text"} <= names)
        second = requests[1]["messages"]
        self.assertEqual([m["role"] for m in second],
                         ["system", "user", "assistant", "tool"])
        self.assertEqual(second[2]["tool_calls"][0]["id"], second[3]["tool_call_id"])
        self.assertIn("opened " + self.products(), second[3]["content"])
        third = requests[2]["messages"]
        # Results go back in the order the model asked for the calls.
        call_ids = [c["id"] for c in third[-3]["tool_calls"]]
        self.assertEqual([m["tool_call_id"] for m in third[-2:]], call_ids)
        self.assertEqual(third[-2]["content"], "Products - Demo Garden Shop")
        self.assertIn(self.products(), third[0]["content"])
        fourth = requests[3]["messages"]
        self.assertTrue(fourth[-1]["content"].startswith("error: "),
                        fourth[-1]["content"])

        # The next run of the session carries the whole conversation.
        self.upstream.play(reply(["You asked about prices."]))
        session = events[0].data["session"]
        again = SseStream(self.server.port, stream_path(
            "what did I ask?", session=session), timeout=60).read_all()
        self.assertEqual(again[-1].data["result"], "You asked about prices.")
        history = self.upstream.requests[0]["body"]["messages"]
        self.assertEqual([m["role"] for m in history],
                         ["system", "user", "assistant", "tool", "assistant",
                          "tool", "tool", "assistant", "tool", "assistant",
                          "user"])
        self.assertEqual(history[1]["content"], "what do the products cost?")
        self.assertEqual(history[-2]["content"],
                         "Four products; the watering can costs $12.50.")
        self.assertEqual(history[-1]["content"], "what did I ask?")

    def test_the_tool_table_is_what_the_model_gets(self):
        self.upstream.play(reply(["Nothing to do."]))
        SseStream(self.server.port, stream_path("say hi")).read_all()
        given = self.upstream.requests[0]["body"]["tools"]
        status, table = self.server.get_json("/api/tools")
        self.assertEqual(status, 200)
        self.assertEqual(table["count"], len(given))
        self.assertEqual([(t["name"], t["description"], t["parameters"]) for t in table["tools"]],
                         [(g["function"]["name"], g["function"]["description"],
                           g["function"]["parameters"]) for g in given])
        rows = {t["name"]: t for t in table["tools"]}
        self.assertEqual((rows["navigate_to"]["changes_page"], rows["get_title"]["changes_page"]),
                         (True, False))
        self.assertIn("submit", rows["click"]["approval_rules"])
        self.assertEqual(rows["ask_user"]["approval_rules"], [])
        self.assertEqual(rows["get_page_text"]["approval_rules"], ["all"])

    def test_a_failing_model_call_ends_the_run_with_its_error(self):
        from scripted_upstream import status
        self.upstream.play(status(401, {"error": {"message": "bad key"}}))
        events = SseStream(self.server.port, stream_path("hello")).read_all()
        self.assertEqual(events[-1].type, "error")
        self.assertEqual(events[-1].data["code"], "llm_auth_failed")


if __name__ == "__main__":
    unittest.main()
