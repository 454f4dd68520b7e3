"""The guide's /stream contract against the real binary: headers, framing,
stream modes, joins that never re-run, replay, 204, sessions, pings."""

import threading
import time
import unittest

from harness import Server, ServerTestCase, SseStream, stream_path

LIFECYCLE = {"start", "complete", "status", "error", "gap"}


class StreamContract(ServerTestCase):
    # No browser here: this suite is about streaming, and a model asking
    # for a tool ends the run with capability_missing.
    server_flags = ("--planner-token-delay", "1ms", "--browser", "none")

    def stream(self, path, headers=None):
        s = SseStream(self.server.port, path, headers)
        self.addCleanup(s.close)
        return s

    def test_headers_and_framing(self):
        opened = time.monotonic()
        s = self.stream(stream_path("hello there", messageId="frame-1"))
        self.assertEqual(s.status, 200)
        self.assertTrue(s.headers["content-type"].startswith("text/event-stream"))
        self.assertEqual(s.headers["cache-control"], "no-cache")
        self.assertEqual(s.headers["x-accel-buffering"], "no")
        events = s.read_all()
        wall_ms = (time.monotonic() - opened) * 1000
        self.assertEqual(events[0].type, "start")
        self.assertEqual(events[0].data["messageId"], "frame-1")
        self.assertEqual(events[0].data["command"], "hello there")
        self.assertEqual(events[0].data["llm"]["provider"], "planner")
        self.assertEqual(events[-1].type, "complete")
        ids = [e.id for e in events]
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
        tokens = [e for e in events if e.type == "token"]
        self.assertGreater(len(tokens), 10)
        self.assertEqual([t.data["metadata"]["count"] for t in tokens],
                         list(range(1, len(tokens) + 1)))
        text = "".join(t.data["token"] for t in tokens)
        done = events[-1].data
        self.assertEqual(done["result"], text)
        self.assertEqual(done["summary"]["tokens_streamed"], len(tokens))
        self.assertEqual(done["summary"]["messageId"], "frame-1")
        self.assertFalse(done["cancelled"])
        self.assertEqual((done["stop_reason"], done["outcome"]), ("complete", "success"))
        # The run paced its tokens 1 ms apart, and ran within the request.
        self.assertGreaterEqual(done["duration_ms"], len(tokens) - 1)
        self.assertLessEqual(done["duration_ms"], wall_ms)
        progress = [e for e in events if e.type == "progress"]
        self.assertEqual(progress[0].data["step"], 1)
        # "hello" is one turn for the planner, and it knows so.
        self.assertEqual((progress[0].data["total"], progress[0].data["total_known"],
                          progress[0].data["max_steps"]), (1, True, 10))
        message = [e for e in events if e.type == "message"]
        self.assertEqual(message[0].data["content"], text)

    def test_stream_modes_filter(self):
        seen = {}
        modes = ["messages", "updates", "custom", "messages,updates"]
        for i, mode in enumerate(modes):
            s = self.stream(stream_path("hello", messageId=f"mode-{i}",
                                        stream_mode=mode))
            self.assertEqual(s.status, 200)
            seen[mode] = {e.type for e in s.read_all()}
        self.assertEqual(seen["messages"] - LIFECYCLE, {"token", "message"})
        self.assertEqual(seen["updates"] - LIFECYCLE, {"progress", "update"})
        self.assertEqual(seen["custom"] - LIFECYCLE, set())
        self.assertEqual(seen["messages,updates"] - LIFECYCLE,
                         {"token", "message", "progress", "update"})
        for types in seen.values():
            self.assertTrue({"start", "complete"} <= types)

    def test_unknown_mode_is_400_json(self):
        status, body = self.server.get_json(
            stream_path("hello", stream_mode="values"))
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "bad_stream_mode")

    def test_join_never_runs_twice(self):
        results = []
        path = stream_path("hello", messageId="join-1")

        def read():
            results.append(SseStream(self.server.port, path).read_all())

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(results), 4)
        first = [(e.id, e.type) for e in results[0]]
        for r in results[1:]:
            self.assertEqual([(e.id, e.type) for e in r], first)
        session = results[0][0].data["session"]
        _, listing = self.server.get_json("/api/sessions")
        entry = [s for s in listing["sessions"] if s["id"] == session][0]
        self.assertEqual(entry["runs"], 1)

    def test_finished_run_replays_then_204(self):
        events = self.stream(stream_path("hello", messageId="done-1")).read_all()
        last = events[-1].id
        replay = self.stream(stream_path(messageId="done-1")).read_all()
        self.assertEqual([e.id for e in replay], [e.id for e in events])
        middle = events[len(events) // 2].id
        rest = self.stream(stream_path(messageId="done-1"),
                           {"Last-Event-ID": str(middle)}).read_all()
        self.assertEqual([e.id for e in rest], list(range(middle + 1, last + 1)))
        by_query = self.stream(stream_path(messageId="done-1",
                                           lastEventId=str(middle))).read_all()
        self.assertEqual([e.id for e in by_query], [e.id for e in rest])
        status, headers, body = self.server.get(
            stream_path("hello", messageId="done-1"),
            {"Last-Event-ID": str(last)})
        self.assertEqual(status, 204)
        self.assertEqual(body, b"")

    def test_session_continues_a_conversation(self):
        first = self.stream(stream_path("hello", messageId="conv-1")).read_all()
        session = first[0].data["session"]
        second = self.stream(stream_path("what can you do", messageId="conv-2",
                                         session=session)).read_all()
        self.assertEqual(second[0].data["session"], session)
        self.assertGreater(second[0].id, first[-1].id)
        _, listing = self.server.get_json("/api/sessions")
        entry = [s for s in listing["sessions"] if s["id"] == session][0]
        self.assertEqual(entry["runs"], 2)
        self.assertEqual(entry["state"], "idle")
        status, body = self.server.get_json(
            stream_path("hello", messageId="conv-3", session="s-unknown"))
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "unknown_session")

    def test_browser_steps_name_the_missing_capability(self):
        events = self.stream(stream_path("go to example.com then read the title",
                                         messageId="planner-1")).read_all()
        message = [e for e in events if e.type == "message"][0].data
        self.assertEqual(message["content"], "I'll open https://example.com.")
        self.assertEqual(message["tool_calls"][0]["name"], "navigate_to")
        self.assertEqual(events[-1].type, "error")
        self.assertEqual(events[-1].data["code"], "capability_missing")
        self.assertIn("navigate_to", events[-1].data["message"])

    def test_health(self):
        status, body = self.server.get_json("/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        status, headers, body = self.server.get("/health", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")

    def test_web_ui_is_served(self):
        status, headers, body = self.server.get("/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(b'<script type="module" src="/ui/app.js">', body)
        # Module scripts need a JavaScript MIME type, or browsers refuse them.
        for path, needle in (("/ui/app.js", b"EventStream"),
                             ("/agenttheo-stream.js", b"new EventSource("),
                             ("/app.css", b".layout")):
            status, headers, body = self.server.get(path)
            self.assertEqual(status, 200, path)
            self.assertTrue(headers["Content-Type"].startswith(
                "text/javascript" if path.endswith(".js") else "text/css"), path)
            self.assertIn(needle, body, path)
        # The page names the model from /health, which says which it is.
        _, health = self.server.get_json("/health")
        self.assertEqual(health["llm"], {"provider": "planner",
                                         "model": "agenttheo-offline-planner"})


class DirectRounds(ServerTestCase):
    """A stream without a batch window gets its session's events written to
    its socket by the session's round on the I/O thread, not through its
    connection actor; one with a window still goes through the actor."""
    server_flags = ("--planner-token-delay", "15ms", "--browser", "none")

    def test_rounds_skip_the_connection_actor_and_keep_the_order(self):
        path = stream_path("hello", messageId="direct-1")
        first = SseStream(self.server.port, path)
        self.addCleanup(first.close)
        start = first.next_event()
        sid = start.data["session"]
        head = [start] + [first.next_event() for _ in range(5)]
        # Joiners mid-run: the replay, then live rounds, through the sink
        # (two) and through the actor (a 30 ms batch window).
        direct = SseStream(self.server.port, stream_path(messageId="direct-1"))
        windowed = SseStream(self.server.port,
                             stream_path(messageId="direct-1", batch_ms="30"))
        for s in (direct, windowed):
            self.addCleanup(s.close)
        for _ in range(12):
            head.append(first.next_event())
        status, tree = self.server.get_json("/api/admin/actors")
        self.assertEqual(status, 200)
        node = next(n for n in tree["sessions"] if n["name"] == sid)
        streams = sorted((c for c in node["children"] if c["kind"] == "sse_connection"),
                         key=lambda c: c["messages"])
        self.assertEqual(len(streams), 3)
        # Accepted, and nothing since: the events went around them.
        self.assertLessEqual(streams[1]["messages"], 3)
        # The windowed one got every event as a message.
        self.assertGreaterEqual(streams[2]["messages"], 10)
        runs = [head + first.read_all(), direct.read_all(), windowed.read_all()]
        for events in runs:
            ids = [e.id for e in events]
            self.assertEqual(ids, list(range(start.id, start.id + len(ids))))
            self.assertEqual(events[-1].type, "complete")
        self.assertEqual([e.id for e in runs[1]], [e.id for e in runs[0]])
        self.assertEqual([e.id for e in runs[2]], [e.id for e in runs[0]])


class DirectRoundsOnTwoIoThreads(ServerTestCase):
    """With two I/O threads a session's round is split over two lanes, each
    writing to half of its subscribers at once: every stream still gets
    every event once, in order."""
    server_flags = ("--planner-token-delay", "10ms", "--browser", "none",
                    "--io-threads", "2")

    def test_every_stream_gets_the_whole_run_in_order(self):
        first = SseStream(self.server.port, stream_path("hello", messageId="two-1"))
        self.addCleanup(first.close)
        start = first.next_event()
        head = [start] + [first.next_event() for _ in range(3)]
        joiners = [SseStream(self.server.port, stream_path(messageId="two-1"))
                   for _ in range(7)]
        for s in joiners:
            self.addCleanup(s.close)
        runs = [head + first.read_all()] + [s.read_all() for s in joiners]
        ids = [e.id for e in runs[0]]
        self.assertEqual(ids, list(range(start.id, start.id + len(ids))))
        self.assertEqual(runs[0][-1].type, "complete")
        for events in runs[1:]:
            self.assertEqual([e.id for e in events], ids)


class BusySessionAndPings(unittest.TestCase):
    def test_busy_session_is_409_and_idle_streams_get_pings(self):
        with Server("--planner-token-delay", "40ms",
                    "--heartbeat-interval", "100ms") as server:
            slow = SseStream(server.port, stream_path("hello", messageId="b-1"))
            start = slow.next_event()
            session = start.data["session"]
            status, body = server.get_json(
                stream_path("again", messageId="b-2", session=session))
            self.assertEqual(status, 409)
            self.assertEqual(body["error"]["code"], "session_busy")
            events = slow.read_all()
            self.assertEqual(events[-1].type, "complete")
            slow.close()
        # Tokens 250 ms apart leave the stream idle longer than the 50 ms
        # heartbeat, so `: ping` comments must arrive between them.
        with Server("--planner-token-delay", "250ms",
                    "--heartbeat-interval", "50ms") as server:
            s = SseStream(server.port, stream_path("hello", messageId="p-1"))
            deadline = time.monotonic() + 5
            while s.comments == 0 and time.monotonic() < deadline:
                self.assertIsNotNone(s.next_event())
            self.assertGreater(s.comments, 0)
            s.close()


if __name__ == "__main__":
    unittest.main()
