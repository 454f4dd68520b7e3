"""The JSON API beside /stream, against the real binary: sessions created,
described, continued, cancelled and deleted; runs started without a stream
and read back as JSON; a session's whole stream; the multitask strategies;
and every bad input answered with a JSON 4xx."""

import json
import time
import unittest

from harness import ServerTestCase, SseStream, stream_path


class SessionApi(ServerTestCase):
    # Paced tokens keep each run going for about a second.
    server_flags = ("--planner-token-delay", "20ms", "--browser", "none")

    def call(self, method, path, body=None, **kw):
        return self.server.call(method, path, body, **kw)

    def new_session(self):
        status, body = self.call("POST", "/api/sessions")
        self.assertEqual(status, 201, body)
        self.assertTrue(body["id"].startswith("s-"))
        return body["id"]

    def wait_finished(self, message_id, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"/api/runs/{message_id}/events")
            self.assertEqual(status, 200, body)
            if body["state"] == "finished":
                return body
            time.sleep(0.05)
        self.fail(f"run {message_id} did not finish")

    def test_a_run_started_through_the_api_reads_back_as_json(self):
        sid = self.new_session()
        asked_ms = int(time.time() * 1000)
        status, body = self.call("POST", f"/api/sessions/{sid}/runs",
                                 {"command": "hello", "messageId": "api-1"})
        self.assertEqual(status, 202, body)
        self.assertEqual(body, {"session": sid, "messageId": "api-1",
                                "state": "running",
                                "stream": "/stream?messageId=api-1",
                                "events": "/api/runs/api-1/events"})
        done = self.wait_finished("api-1")
        types = [e["type"] for e in done["events"]]
        self.assertEqual(types[:3], ["start", "status", "progress"])
        self.assertEqual(types[-1], "complete")
        ids = [e["id"] for e in done["events"]]
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
        self.assertTrue(all(e["messageId"] == "api-1" and e["session"] == sid
                            for e in done["events"]))
        self.assertIsNone(done["gap"])
        # Each event has the server's time: in order, within the run.
        stamps = [e["ts"] for e in done["events"]]
        self.assertEqual(stamps, sorted(stamps))
        self.assertLessEqual(asked_ms, stamps[0])
        self.assertLessEqual(stamps[-1], int(time.time() * 1000))
        # after= pages through the same events.
        status, tail = self.call("GET", f"/api/runs/api-1/events?after={ids[-3]}")
        self.assertEqual([e["id"] for e in tail["events"]], ids[-2:])
        # The largest id is past every event; it does not wrap to 0.
        status, none = self.call("GET", "/api/runs/api-1/events?after=18446744073709551615")
        self.assertEqual((status, none["events"], none["gap"]), (200, [], None))
        status, _ = self.call("GET", "/api/runs/api-1/events?after=18446744073709551616")
        self.assertEqual(status, 400)
        # The finished run can still be streamed (replayed) by messageId.
        events = SseStream(self.server.port,
                           stream_path(messageId="api-1")).read_all()
        self.assertEqual([e.id for e in events], ids)

    def test_a_session_keeps_its_conversation_across_runs(self):
        sid = self.new_session()
        for n, command in enumerate(["hello", "what can you do"]):
            status, body = self.call("POST", f"/api/sessions/{sid}/runs",
                                     {"command": command,
                                      "messageId": f"conv-{n}"})
            self.assertEqual(status, 202, body)
            self.wait_finished(f"conv-{n}")
        # A third run over /stream continues the same session.
        events = SseStream(self.server.port, stream_path(
            "hello again", session=sid, messageId="conv-2")).read_all()
        self.assertEqual(events[0].data["session"], sid)
        status, body = self.call("GET", f"/api/sessions/{sid}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "idle")
        roles = [m["role"] for m in body["conversation"]]
        self.assertEqual(roles, ["user", "assistant"] * 3)
        users = [m["content"] for m in body["conversation"] if m["role"] == "user"]
        self.assertEqual(users, ["hello", "what can you do", "hello again"])
        self.assertEqual([r["messageId"] for r in body["runs"]],
                         ["conv-0", "conv-1", "conv-2"])
        self.assertTrue(all(r["outcome"] == "complete" for r in body["runs"]))

    def test_cancel_stops_the_running_run_at_once(self):
        sid = self.new_session()
        stream = SseStream(self.server.port,
                           stream_path("hello", session=sid, messageId="c-1"))
        first = stream.next_event()
        self.assertEqual(first.type, "start")
        while stream.next_event().type != "token":
            pass
        asked = time.monotonic()
        status, body = self.call("POST", f"/api/sessions/{sid}/cancel")
        self.assertEqual((status, body), (200, {"session": sid,
                                                "cancelled": "c-1"}))
        rest = stream.read_all()
        took = time.monotonic() - asked
        self.assertEqual([e.type for e in rest[-2:]], ["status", "complete"])
        self.assertEqual(rest[-2].data["state"], "cancelled")
        self.assertTrue(rest[-1].data["cancelled"])
        self.assertEqual(rest[-1].data["stop_reason"], "cancelled")
        self.assertLess(took, 2.0)
        # Nothing runs now: a second cancel cancels nothing.
        status, body = self.call("POST", f"/api/sessions/{sid}/cancel")
        self.assertEqual(body["cancelled"], None)

    def test_delete_ends_the_session_and_its_runs(self):
        sid = self.new_session()
        watch = SseStream(self.server.port, f"/api/sessions/{sid}/stream")
        self.assertEqual(watch.status, 200)
        status, body = self.call("POST", f"/api/sessions/{sid}/runs",
                                 {"command": "hello", "messageId": "d-1"})
        self.assertEqual(status, 202)
        status, body = self.call("DELETE", f"/api/sessions/{sid}")
        self.assertEqual((status, body), (200, {"deleted": sid,
                                                "cancelled": ["d-1"]}))
        seen = watch.read_all()
        self.assertEqual(seen[-1].type, "status")
        self.assertEqual(seen[-1].data["state"], "closed")
        self.assertIn("complete", [e.type for e in seen])
        self.assertEqual(self.call("GET", f"/api/sessions/{sid}")[0], 404)
        self.assertEqual(self.call("GET", "/api/runs/d-1/events")[0], 404)
        listed = [s["id"] for s in self.server.get_json("/api/sessions")[1]["sessions"]]
        self.assertNotIn(sid, listed)

    def test_a_session_stream_follows_every_run(self):
        sid = self.new_session()
        watch = SseStream(self.server.port, f"/api/sessions/{sid}/stream")
        for n in range(2):
            events = SseStream(self.server.port, stream_path(
                "hello", session=sid, messageId=f"w-{n}")).read_all()
            self.assertEqual(events[-1].type, "complete")
        seen = []
        while len([e for e in seen if e.type == "complete"]) < 2:
            seen.append(watch.next_event())
        self.assertEqual([e.type for e in seen if e.type == "start"],
                         ["start", "start"])
        self.assertEqual([e.data["messageId"] for e in seen if e.type == "start"],
                         ["w-0", "w-1"])
        ids = [int(e.id) for e in seen]
        self.assertEqual(ids, sorted(ids))
        # Resuming the session stream after an id replays the rest.
        again = SseStream(self.server.port, f"/api/sessions/{sid}/stream",
                          headers={"Last-Event-ID": str(ids[-4])})
        replayed = [again.next_event() for _ in range(3)]
        self.assertEqual([int(e.id) for e in replayed], ids[-3:])
        watch.close()
        again.close()

    def test_multitask_reject_is_409_and_the_first_run_goes_on(self):
        sid = self.new_session()
        first = SseStream(self.server.port,
                          stream_path("hello", session=sid, messageId="r-1"))
        first.next_event()
        second = SseStream(self.server.port, stream_path(
            "other", session=sid, messageId="r-2", multitask="reject"))
        self.assertEqual(second.status, 409)
        self.assertEqual(json.loads(second.resp.read())["error"]["code"], "session_busy")
        self.assertEqual(first.read_all()[-1].type, "complete")

    def test_multitask_enqueue_runs_in_order(self):
        sid = self.new_session()
        first = SseStream(self.server.port,
                          stream_path("hello", session=sid, messageId="q-1"))
        first.next_event()
        status, body = self.call("POST", f"/api/sessions/{sid}/runs",
                                 {"command": "again", "messageId": "q-2",
                                  "multitask": "enqueue"})
        self.assertEqual((status, body["state"]), (202, "queued"))
        second = SseStream(self.server.port, stream_path(messageId="q-2"))
        a, b = first.read_all(), second.read_all()
        self.assertEqual(a[-1].type, "complete")
        self.assertFalse(a[-1].data["cancelled"])
        self.assertEqual([e.type for e in b[:2]], ["start", "status"])
        self.assertEqual(b[1].data["state"], "queued")
        running = [e for e in b if e.type == "status"
                   and e.data["state"] == "running"][0]
        self.assertGreater(int(running.id), int(a[-1].id))
        self.assertEqual(b[-1].type, "complete")
        self.assertFalse(b[-1].data["cancelled"])

    def test_multitask_interrupt_cancels_and_takes_over(self):
        sid = self.new_session()
        first = SseStream(self.server.port,
                          stream_path("hello", session=sid, messageId="i-1"))
        first.next_event()
        second = SseStream(self.server.port, stream_path(
            "again", session=sid, messageId="i-2", multitask="interrupt"))
        self.assertEqual(second.status, 200)
        a, b = first.read_all(), second.read_all()
        self.assertEqual(a[-2].data["state"], "cancelled")
        self.assertIn("i-2", a[-2].data["message"])
        self.assertTrue(a[-1].data["cancelled"])
        self.assertEqual(b[-1].type, "complete")
        self.assertFalse(b[-1].data["cancelled"])

    def test_a_session_is_titled_by_its_first_command_and_renamed(self):
        sid = self.new_session()
        self.assertEqual(self.call("GET", f"/api/sessions/{sid}")[1]["title"], "")
        command = "hello there, please read me a rather long command " * 3
        self.call("POST", f"/api/sessions/{sid}/runs",
                  {"command": command, "messageId": "titled-1"})
        self.wait_finished("titled-1")
        self.call("POST", f"/api/sessions/{sid}/runs",
                  {"command": "a second command", "messageId": "titled-2"})
        self.wait_finished("titled-2")
        title = self.call("GET", f"/api/sessions/{sid}")[1]["title"]
        self.assertTrue(title.startswith("hello there, please read me"), title)
        self.assertTrue(title.endswith("…") and len(title) <= 61, title)
        status, body = self.call("PATCH", f"/api/sessions/{sid}",
                                 {"title": "  Greetings  "})
        self.assertEqual((status, body["title"]), (200, "Greetings"))
        listed = {s["id"]: s for s in self.call("GET", "/api/sessions")[1]["sessions"]}
        self.assertEqual(listed[sid]["title"], "Greetings")
        for bad, why in ((["x"], "with a string title"), ({"title": ""}, "must not be empty"),
                         ({"title": "a\nb"}, "one line"),
                         ({"title": "x" * 121}, "at most 120 bytes")):
            status, body = self.call("PATCH", f"/api/sessions/{sid}", bad)
            self.assertEqual((status, body["error"]["code"]), (400, "bad_body"), bad)
            self.assertIn(why, body["error"]["message"])
        status, body = self.call("PATCH", "/api/sessions/s-nope", {"title": "x"})
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_session"))
        self.assertEqual(self.call("GET", f"/api/sessions/{sid}")[1]["title"], "Greetings")
        self.call("DELETE", f"/api/sessions/{sid}")

    def test_bad_requests_get_json_errors(self):
        sid = self.new_session()
        cases = [
            ("POST", f"/api/sessions/{sid}/runs", "not json", 400, "bad_body"),
            ("POST", f"/api/sessions/{sid}/runs", {}, 400, "missing_command"),
            ("POST", f"/api/sessions/{sid}/runs", {"command": 5}, 400, "bad_body"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "multitask": "maybe"}, 400, "bad_multitask"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "max_steps": 0}, 400, "bad_max_steps"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "max_failures": 1001}, 400, "bad_max_failures"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "max_failures": -1}, 400, "bad_body"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "messageId": "a b"}, 400, "bad_message_id"),
            ("POST", f"/api/sessions/{sid}/runs",
             {"command": "x", "stream_mode": "all"}, 400, "bad_stream_mode"),
            ("POST", "/api/sessions/s-nope/runs", {"command": "x"}, 404,
             "unknown_session"),
            ("GET", "/api/sessions/s-nope", None, 404, "unknown_session"),
            ("DELETE", "/api/sessions/s-nope", None, 404, "unknown_session"),
            ("POST", "/api/sessions/s-nope/cancel", None, 404, "unknown_session"),
            ("GET", "/api/sessions/bad%20id", None, 400, "bad_session"),
            ("GET", "/api/runs/nope/events", None, 404, "unknown_run"),
            ("GET", "/api/runs/nope/events?after=x", None, 400, "bad_after"),
            ("PUT", f"/api/sessions/{sid}", None, 405, "method_not_allowed"),
            ("GET", f"/api/sessions/{sid}/runs", None, 405, "method_not_allowed"),
        ]
        for method, path, body, want, code in cases:
            with self.subTest(method=method, path=path, body=body):
                status, answer = self.call(method, path, body)
                self.assertEqual(status, want, answer)
                self.assertEqual(answer["error"]["code"], code)
        for params, code in [({"max_steps": "0"}, "bad_max_steps"),
                             ({"max_steps": "x"}, "bad_max_steps"),
                             ({"max_failures": "1001"}, "bad_max_failures"),
                             ({"max_failures": "-1"}, "bad_max_failures"),
                             ({"multitask": "x"}, "bad_multitask")]:
            status, _, body = self.server.get(stream_path("hi", **params))
            self.assertEqual(status, 400)
            self.assertEqual(json.loads(body)["error"]["code"], code)
        status, _, _ = self.server.get("/api/sessions/s-nope/stream")
        self.assertEqual(status, 404)
        # A foreign page may not change sessions.
        status, body = self.call("POST", "/api/sessions",
                                 headers={"Origin": "http://evil.example"})
        self.assertEqual((status, body["error"]["code"]),
                         (403, "origin_not_allowed"))
        # The server still serves.
        self.assertEqual(self.server.get("/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
