"""Re-running a recorded run without the model (README, "Recorded runs"):
`POST /api/runs/{id}/rerun` repeats the recording's tool calls in real
headless Chromium, checking before each step that the page is where the
recording was. The model is the scripted OpenAI-compatible upstream, so
every model call the server makes is counted; the pages are a fixture site
on loopback that the tests change between the recording and the rerun."""

import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import ServerTestCase  # noqa: E402
from scripted_upstream import UpstreamModel, reply, stall, tool_calls  # noqa: E402

HOME = ('<!doctype html><title>Fixture shop</title><h1>Fixture shop</h1>'
        '<p><a href="about.html">{about}</a> <a href="contact.html">Contact</a>')
ABOUT = '<!doctype html><title>About the fixture shop</title><p>We grow things.'
MOVED = '<!doctype html><title>Moved shop</title><p><a href="about.html">About</a>'
ANSWER = "The page is titled About the fixture shop."


class FixtureSite:
    """A site on loopback whose pages a test rewrites; with `moved`, the
    home page redirects elsewhere."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="agenttheo-rerun-")
        self.moved = False
        self.write(about="About")
        for name, text in (("about.html", ABOUT), ("moved.html", MOVED),
                           ("contact.html", "<title>Contact</title>")):
            with open(os.path.join(self.root, name), "w") as f:
                f.write(text)
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=site.root, **kwargs)

            def log_message(self, *args):
                pass

            def do_GET(self):
                if site.moved and self.path == "/index.html":
                    self.send_response(302)
                    self.send_header("Location", "/moved.html")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.home = f"http://127.0.0.1:{self.httpd.server_address[1]}/index.html"

    def write(self, about):
        with open(os.path.join(self.root, "index.html"), "w") as f:
            f.write(HOME.format(about=about))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.root, ignore_errors=True)


class Rerun(UpstreamModel, ServerTestCase):
    model_flags = ("--record", "false")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = FixtureSite()
        cls.addClassCleanup(cls.site.close)
        cls.recorded = cls.record("recorded-1")

    @classmethod
    def record(cls, message_id):
        """The fixture run: open the home page, click About, read the
        title, answer. Returns its events."""
        cls.site.moved = False
        cls.site.write(about="About")
        cls.upstream.play(
            tool_calls([("navigate_to", {"url": cls.site.home})], content="Opening it."),
            tool_calls([("click", {"target": "About"})], content="Clicking About."),
            tool_calls([("get_title", {})]),
            reply([ANSWER]))
        status, created = cls.server.call("POST", "/api/sessions")
        assert status == 201, created
        status, body = cls.server.call(
            "POST", f"/api/sessions/{created['id']}/runs",
            {"command": "open the fixture shop's about page and tell me its title",
             "messageId": message_id})
        assert status == 202, body
        events = wait_finished(cls.server, message_id)
        assert events[-1]["type"] == "complete", events[-1]
        assert len(cls.upstream.requests) == 4
        return events

    def setUp(self):
        self.site.moved = False
        self.site.write(about="About")

    def rerun(self, message_id, **body):
        status, started = self.server.call(
            "POST", "/api/runs/recorded-1/rerun", {"messageId": message_id, **body})
        self.assertEqual(status, 202, started)
        self.assertEqual(started["messageId"], message_id)
        self.assertEqual(started["stream"], f"/stream?messageId={message_id}")
        return started, wait_finished(self.server, message_id)

    def test_a_rerun_repeats_the_recording_without_a_model_call(self):
        self.upstream.play(reply(["A model call a rerun must not make."]))
        started, events = self.rerun("again-1")
        self.assertEqual(len(self.upstream.requests), 0)
        done = events[-1]
        self.assertEqual(done["type"], "complete", done)
        self.assertEqual(done["data"]["result"], ANSWER)
        self.assertEqual(done["data"]["outcome"], "success")
        self.assertEqual(done["data"]["usage"]["model_calls"], 0)
        self.assertEqual(done["data"]["rerun"], {
            "of": "recorded-1", "replayed_steps": 4, "model_calls": 0,
            "diverged_at": None})
        # The same calls, acting on the same pages, with the same results.
        self.assertEqual(tool_ends(events), tool_ends(self.recorded))
        self.assertEqual(tool_ends(events)[-1], ("get_title", True, "About the fixture shop"))
        self.assertEqual(messages(events), messages(self.recorded))
        self.assertFalse([e for e in events if e["type"] == "token"])
        # A new session, unless one is named.
        self.assertNotEqual(started["session"], self.recorded[0]["session"])

    def test_a_renamed_link_diverges_there_and_the_model_finishes(self):
        self.site.write(about="Our story")
        self.upstream.play(
            tool_calls([("click", {"target": "Our story"})]),
            tool_calls([("get_title", {})]),
            reply(["Found it under Our story: About the fixture shop."]))
        _, events = self.rerun("again-2", fallback="model")
        diverged = [e["data"] for e in events if e["type"] == "custom"
                    and e["data"].get("kind") == "rerun_diverged"]
        self.assertEqual(len(diverged), 1, diverged)
        self.assertEqual(diverged[0]["step"], 2)
        self.assertEqual(diverged[0]["expected"], {
            "url": self.site.home, "tool": "click", "arguments": {"target": "About"}})
        self.assertEqual(diverged[0]["found"], {"url": self.site.home, "target": None})
        # Step 1 was replayed; the model took over from step 2.
        self.assertEqual(len(self.upstream.requests), 3)
        first = self.upstream.requests[0]["body"]["messages"]
        self.assertEqual([m["role"] for m in first[1:]],
                         ["user", "assistant", "tool", "user"])
        self.assertEqual(first[2]["tool_calls"][0]["function"]["name"], "navigate_to")
        self.assertIn("step 2", first[-1]["content"])
        done = events[-1]
        self.assertEqual(done["type"], "complete", done)
        self.assertEqual(done["data"]["result"],
                         "Found it under Our story: About the fixture shop.")
        self.assertEqual(done["data"]["rerun"], {
            "of": "recorded-1", "replayed_steps": 1, "model_calls": 3,
            "diverged_at": 2})
        self.assertEqual(tool_ends(events)[-1], ("get_title", True, "About the fixture shop"))
        # The divergence comes before anything acts on the changed page.
        kinds = [e["type"] for e in events]
        at = kinds.index("custom")
        self.assertEqual(kinds[:at].count("tool_start"), 1)

    def test_fallback_fail_ends_the_run_where_it_diverges(self):
        self.site.write(about="Our story")
        self.upstream.play(reply(["A model call a failing rerun must not make."]))
        _, events = self.rerun("again-3", fallback="fail")
        self.assertEqual(len(self.upstream.requests), 0)
        done = events[-1]
        self.assertEqual(done["type"], "complete", done)
        self.assertEqual(done["data"]["outcome"], "failed")
        self.assertEqual(done["data"]["code"], "rerun_diverged")
        self.assertIn("step 2", done["data"]["result"])
        self.assertEqual(done["data"]["rerun"], {
            "of": "recorded-1", "replayed_steps": 1, "model_calls": 0,
            "diverged_at": 2})
        self.assertEqual([t[0] for t in tool_ends(events)], ["navigate_to"])

    def test_another_url_before_a_step_diverges(self):
        self.site.moved = True
        _, events = self.rerun("again-4", fallback="fail")
        diverged = [e["data"] for e in events if e["type"] == "custom"]
        self.assertEqual(len(diverged), 1, diverged)
        self.assertEqual(diverged[0]["step"], 2)
        self.assertEqual(diverged[0]["expected"]["url"], self.site.home)
        self.assertEqual(diverged[0]["found"]["url"],
                         self.site.home.replace("index.html", "moved.html"))
        self.assertEqual(events[-1]["data"]["rerun"]["diverged_at"], 2)

    def test_a_rerun_in_a_named_session_carries_its_conversation(self):
        session = self.recorded[0]["session"]
        started, events = self.rerun("again-5", session=session)
        self.assertEqual(started["session"], session)
        self.assertEqual(events[-1]["data"]["result"], ANSWER)
        self.assertEqual(events[-1]["data"]["rerun"]["model_calls"], 0)

    def test_what_cannot_be_rerun_is_refused_with_a_reason(self):
        def refused(path, body, status, code):
            got, answer = self.server.call("POST", path, body)
            self.assertEqual(got, status, answer)
            self.assertEqual(answer["error"]["code"], code)
        refused("/api/runs/no-such-run/rerun", {}, 404, "unknown_run")
        refused("/api/runs/recorded-1/rerun", {"fallback": "retry"}, 400, "bad_body")
        refused("/api/runs/recorded-1/rerun", {"command": "x"}, 400, "bad_body")
        refused("/api/runs/recorded-1/rerun", {"session": "a b"}, 400, "bad_session")
        refused("/api/runs/recorded-1/rerun", {"messageId": "recorded-1"}, 409,
                "message_id_conflict")
        got, _, _ = self.server.get("/api/runs/recorded-1/rerun")
        self.assertEqual(got, 405)
        # A run still going has no whole recording yet.
        self.upstream.play(stall(seconds=20))
        status, created = self.server.call("POST", "/api/sessions")
        status, _ = self.server.call("POST", f"/api/sessions/{created['id']}/runs",
                                     {"command": "wait", "messageId": "going-1"})
        self.assertEqual(status, 202)
        refused("/api/runs/going-1/rerun", {}, 409, "run_not_finished")
        self.server.call("POST", f"/api/sessions/{created['id']}/cancel")


def wait_finished(server, message_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = server.call("GET", f"/api/runs/{message_id}/events")
        if status == 200 and body["state"] == "finished":
            return body["events"]
        time.sleep(0.1)
    raise AssertionError(f"run {message_id} did not finish")


def tool_ends(events):
    return [(e["data"]["tool_name"], e["data"]["ok"], e["data"]["output"])
            for e in events if e["type"] == "tool_end"]


def messages(events):
    return [(e["data"]["content"], e["data"].get("tool_calls"))
            for e in events if e["type"] == "message"]


if __name__ == "__main__":
    unittest.main()
