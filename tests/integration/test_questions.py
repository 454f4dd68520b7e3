"""Questions without a browser, against the real binary and its offline
planner: `ask me ...` asks through an interrupt and the answer comes back in
the reply; a cancel while it waits closes the interrupt; a paused run's
interrupt does not time out until it is resumed; steering what is not there
is a clear 4xx."""

import time
import unittest

from harness import ServerTestCase, SseStream, stream_path


def read_until(stream, kind):
    events = []
    for event in stream.events():
        events.append(event)
        if event.type == kind:
            return events
    raise AssertionError(f"the stream ended before `{kind}`: {events}")


class Questions(ServerTestCase):
    server_flags = ("--planner-token-delay", "0", "--browser", "none")

    def ask(self, question, **params):
        stream = SseStream(self.server.port, stream_path(f"ask me {question}", **params),
                           timeout=30)
        events = read_until(stream, "interrupt")
        return stream, events[0].data["session"], events[-1].data

    def resolve(self, session, asked, body):
        return self.server.call(
            "POST", f"/api/sessions/{session}/interrupts/{asked['interrupt_id']}", body)

    def test_the_planner_asks_and_answers_with_what_it_was_told(self):
        stream, session, asked = self.ask("which colour to paint the shed")
        self.assertEqual((asked["kind"], asked["tool_name"], asked["question"]),
                         ("question", "ask_user", "which colour to paint the shed"))
        self.assertEqual(asked["options"], ["answer", "reject"])
        _, listed = self.server.get_json("/api/sessions")
        mine = [s for s in listed["sessions"] if s["id"] == session][0]
        self.assertEqual([p["interrupt_id"] for p in mine["pending_interrupts"]],
                         [asked["interrupt_id"]])
        code, error = self.resolve(session, asked, {"decision": "approve"})
        self.assertEqual((code, error["error"]["code"]), (400, "bad_decision"))
        code, body = self.resolve(session, asked, {"decision": "answer", "answer": "green"})
        self.assertEqual((code, body["answer"]), (200, "green"))
        rest = stream.read_all()
        end = [e.data for e in rest if e.type == "tool_end"][0]
        self.assertEqual((end["tool_name"], end["output"]), ("ask_user", "green"))
        self.assertEqual(rest[-1].data["result"], "You answered: green")
        # Counted where they happen: in the stats and in /metrics.
        _, stats = self.server.get_json("/api/admin/stats")
        self.assertGreaterEqual(stats["totals"]["interrupts"]["answer"], 1)
        self.assertGreaterEqual(stats["totals"]["interrupts_opened"], 1)
        _, _, metrics = self.server.get("/metrics")
        self.assertIn('agenttheo_interrupts_decided_total{decision="answer"}', metrics.decode())

    def test_a_cancel_while_waiting_closes_the_interrupt(self):
        stream, session, asked = self.ask("anything")
        code, _ = self.server.call("POST", f"/api/sessions/{session}/cancel")
        self.assertEqual(code, 200)
        rest = stream.read_all()
        closed = [e.data for e in rest if e.type == "interrupt_resolved"]
        self.assertEqual([(c["decision"], c["by"]) for c in closed], [("cancelled", "cancel")])
        self.assertEqual(rest[-1].data["outcome"], "cancelled")
        code, error = self.resolve(session, asked, {"decision": "answer", "answer": "late"})
        self.assertEqual((code, error["error"]["code"]), (409, "interrupt_resolved"))

    def test_a_paused_run_keeps_its_interrupt_past_the_timeout(self):
        stream, session, asked = self.ask("the time", interrupt_timeout="1s")
        code, body = self.server.call("POST", f"/api/sessions/{session}/pause")
        self.assertEqual((code, body["status"]), (200, "paused"))
        time.sleep(1.5)
        _, described = self.server.get_json(f"/api/sessions/{session}")
        self.assertEqual(len(described["pending_interrupts"]), 1)
        resumed_at = time.monotonic()
        code, _ = self.server.call("POST", f"/api/sessions/{session}/resume")
        self.assertEqual(code, 200)
        rest = stream.read_all()
        timed_out = [e.data for e in rest if e.type == "interrupt_resolved"][0]
        self.assertEqual((timed_out["decision"], timed_out["by"]), ("no_answer", "timeout"))
        self.assertLess(time.monotonic() - resumed_at, 1.5)
        self.assertEqual(rest[-1].data["result"],
                         "You answered: (no answer: the user did not answer in time)")

    def test_steering_what_is_not_there_is_a_clear_4xx(self):
        _, created = self.server.call("POST", "/api/sessions")
        session = created["id"]
        for path, code in (("pause", "not_running"), ("resume", "not_running")):
            status, body = self.server.call("POST", f"/api/sessions/{session}/{path}")
            self.assertEqual((status, body["error"]["code"]), (409, code))
        status, body = self.server.call("POST", f"/api/sessions/{session}/control",
                                        {"holder": "user"})
        self.assertEqual((status, body["error"]["code"]), (400, "bad_body"))
        status, body = self.server.call("POST", f"/api/sessions/{session}/control",
                                        {"holder": "someone"})
        self.assertEqual((status, body["error"]["code"]), (400, "bad_body"))
        status, body = self.server.call("POST", f"/api/sessions/{session}/interrupts/int-x",
                                        {"decision": "approve"})
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_interrupt"))
        status, body = self.server.call("POST", "/api/sessions/s-none/pause")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_session"))
        status, body = self.server.call("GET", f"/api/sessions/{session}/pause")
        self.assertEqual(status, 405)


if __name__ == "__main__":
    unittest.main()
