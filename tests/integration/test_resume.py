"""Dropped connections resume with Last-Event-ID: no duplicate, no missing
event. A resume older than the log gets a `gap` naming what was lost."""

import time
import unittest

from harness import Server, SseStream, stream_path


class Resume(unittest.TestCase):
    def test_resume_after_drops_loses_nothing(self):
        with Server("--planner-token-delay", "3ms") as server:
            path = stream_path("hello, resume me", messageId="r-1")
            received = []
            drops = 0
            last_id = None
            while True:
                headers = {} if last_id is None else {"Last-Event-ID": str(last_id)}
                s = SseStream(server.port, path, headers)
                if s.status == 204:
                    s.close()
                    break
                self.assertEqual(s.status, 200)
                # Read a few events, then vanish without a goodbye.
                for _ in range(7):
                    event = s.next_event()
                    if event is None:
                        break
                    received.append(event)
                    last_id = event.id
                if received and received[-1].type == "complete":
                    s.close()
                    continue
                s.abort()
                drops += 1
            self.assertGreater(drops, 5)
            ids = [e.id for e in received]
            self.assertEqual(len(ids), len(set(ids)), "duplicate events")
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))),
                             "missing events")
            self.assertEqual(received[0].type, "start")
            self.assertEqual(received[-1].type, "complete")
            tokens = "".join(e.data["token"] for e in received
                             if e.type == "token")
            self.assertEqual(tokens, received[-1].data["result"])
            # The dropped clients did not stop the run (on_disconnect default).
            self.assertFalse(received[-1].data["cancelled"])

    def test_resume_older_than_the_log_gets_a_gap(self):
        with Server("--planner-token-delay", "0",
                    "--event-log-max-events", "20") as server:
            path = stream_path("hello", messageId="g-1")
            full = SseStream(server.port, path).read_all()
            last = full[-1].id
            self.assertGreater(last, 40)
            late = SseStream(server.port, stream_path(messageId="g-1"),
                             {"Last-Event-ID": "2"}).read_all()
            self.assertEqual(late[0].type, "gap")
            self.assertEqual(late[0].data["from"], 3)
            self.assertEqual(late[0].data["to"], last - 20)
            self.assertEqual(late[0].id, last - 20)
            self.assertEqual([e.id for e in late[1:]],
                             list(range(last - 19, last + 1)))
            self.assertEqual(late[-1].type, "complete")

    def test_disconnect_can_cancel_the_run(self):
        with Server("--planner-token-delay", "20ms") as server:
            s = SseStream(server.port, stream_path(
                "hello", messageId="c-1", on_disconnect="cancel"))
            s.next_event()
            s.abort()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                _, listing = server.get_json("/api/sessions")
                if listing["sessions"] and listing["sessions"][0]["state"] == "idle":
                    break
                time.sleep(0.05)
            events = SseStream(server.port, stream_path(messageId="c-1")).read_all()
            self.assertEqual(events[-1].type, "complete")
            self.assertTrue(events[-1].data["cancelled"])
            self.assertIn("status", [e.type for e in events])


if __name__ == "__main__":
    unittest.main()
