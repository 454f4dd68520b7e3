"""Answers with a shape (`output_schema`), against the real binary: with the
scripted OpenAI-compatible model, a valid `done` output lands in
`complete.output`, an invalid one gets one repair turn told why, a second
ends the run `output_invalid`; the offline planner fills a schema from what
it read; a bad schema is a 400."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from harness import Server, ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import UpstreamModel, reply, tool_calls  # noqa: E402

SCHEMA = {"type": "object",
          "properties": {"size": {"type": "string", "enum": ["S", "M", "L"]},
                         "count": {"type": "integer", "minimum": 1}},
          "required": ["size", "count"]}


class OutputSchema(UpstreamModel, ServerTestCase):
    model_flags = ("--browser", "none")

    def run_with_schema(self, message_id):
        return SseStream(self.server.port, stream_path(
            "pick a size", messageId=message_id,
            output_schema=json.dumps(SCHEMA)), timeout=30).read_all()

    def test_a_valid_output_is_the_answer(self):
        self.upstream.play(tool_calls([("done", {"output": {"size": "M", "count": 2}})]))
        events = self.run_with_schema("shape-ok")
        done = events[-1].data
        self.assertEqual((done["outcome"], done["output"]), ("success", {"size": "M", "count": 2}))
        # The model was offered `done`, its output the schema itself.
        offered = {t["function"]["name"]: t["function"]["parameters"]
                   for t in self.upstream.requests[0]["body"]["tools"]}
        self.assertEqual(offered["done"]["properties"]["output"], SCHEMA)

    def test_an_invalid_output_gets_one_repair_turn(self):
        self.upstream.play(
            tool_calls([("done", {"output": {"size": "XL", "count": 2}})]),
            tool_calls([("done", {"output": {"size": "L", "count": 3}})]))
        events = self.run_with_schema("shape-repaired")
        self.assertEqual(events[-1].data["output"], {"size": "L", "count": 3})
        told = self.upstream.requests[1]["body"]["messages"][-1]
        self.assertEqual(told["role"], "tool")
        self.assertIn("/size", told["content"])
        self.assertIn("enum", told["content"])
        ends = [e.data for e in events if e.type == "tool_end"]
        self.assertEqual([e["ok"] for e in ends], [False, True])

    def test_a_second_invalid_output_ends_the_run(self):
        self.upstream.play(
            tool_calls([("done", {"output": {"size": "M"}})]),
            reply(["It is a medium."]))
        events = self.run_with_schema("shape-bad")
        done = events[-1].data
        self.assertEqual((done["outcome"], done["code"]), ("failed", "output_invalid"))
        self.assertNotIn("output", done)
        self.assertIn("not through `done`", done["result"])
        # The text answer got its word too before the run ended.
        self.assertEqual(len(self.upstream.requests), 2)

    def test_a_bad_schema_is_refused(self):
        for bad in ("[1,2]", "not json"):
            status, _, body = self.server.get(stream_path("x", output_schema=bad))
            self.assertEqual((status, json.loads(body)["error"]["code"]),
                             (400, "bad_output_schema"))
        status, made = self.server.call("POST", "/api/sessions")
        runs = f"/api/sessions/{made['id']}/runs"
        status, body = self.server.call("POST", runs, {"command": "x", "output_schema": [1]})
        self.assertEqual((status, body["error"]["code"]), (400, "bad_body"))
        status, body = self.server.call("POST", runs, {
            "command": "x", "output_schema": {"description": "y" * 20000}})
        self.assertEqual((status, body["error"]["code"]), (400, "bad_output_schema"))


class PlannerFillsASchema(unittest.TestCase):
    def test_the_planner_answers_in_the_shape_from_what_it_was_told(self):
        schema = {"type": "object", "properties": {"answer": {"type": "string"}},
                  "required": ["answer"]}
        with Server("--planner-token-delay", "0", "--browser", "none") as server:
            events = SseStream(server.port, stream_path(
                "ask me which size", output_schema=json.dumps(schema)), timeout=30)
            asked = None
            seen = []
            for event in events.events():
                seen.append(event)
                if event.type == "interrupt":
                    asked = event.data
                    session = seen[0].data["session"]
                    server.call("POST", f"/api/sessions/{session}/interrupts/"
                                f"{asked['interrupt_id']}",
                                {"decision": "answer", "answer": "medium"})
            self.assertEqual(seen[-1].data["output"], {"answer": "You answered: medium"})


if __name__ == "__main__":
    unittest.main()
