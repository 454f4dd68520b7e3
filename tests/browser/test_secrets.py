"""Secrets the model never sees: the real binary, real Chromium and a
fixture login form on loopback. The offline planner and the scripted
upstream each sign in with `<secret:pw>`; the fixture receives the real
value, and no event of the run (SSE and /api/runs/.../events), no line of
the server's DEBUG log, no byte of its store, no answer of the API and no
request the model was sent holds it. The page that echoes the value shows
the model `<secret:pw>`; the secret is refused on another host; a
screenshot with the value in a text field has that field covered and the
rest as it was; a SECRETS_FILE others may read stops startup."""

import asyncio
import glob
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import BINARY, ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import UpstreamModel, reply, tool_calls  # noqa: E402
from cdp import Chromium  # noqa: E402
from test_agent_browser import serve_pages  # noqa: E402

VALUE = "hunter2-Sx9!q"
SECRETS = {"pw": {"value": VALUE, "hosts": ["127.0.0.1"]}}


# Every file and folder the tests write goes in here, removed at exit.
SCRATCH = tempfile.TemporaryDirectory(prefix="agenttheo-secrets-")


def secrets_file(mode=0o600):
    folder = tempfile.mkdtemp(dir=SCRATCH.name)
    path = os.path.join(folder, "secrets.json")
    with open(path, "w") as f:
        json.dump(SECRETS, f)
    os.chmod(path, mode)
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class SecretsCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pages_port = serve_pages(cls)
        super().setUpClass()

    def login_page(self, host="127.0.0.1"):
        return f"http://{host}:{self.pages_port}/login.html"

    def logins(self):
        with urllib.request.urlopen(
                f"http://127.0.0.1:{self.pages_port}/logins", timeout=10) as r:
            return json.load(r)

    def stream(self, path):
        """The run's events, and all of them as one text to search."""
        events = SseStream(self.server.port, path, timeout=90).read_all()
        return events, json.dumps([[e.type, e.data] for e in events])

    def assert_no_trace(self, sid, message_id, *more, value=VALUE):
        """Nothing the server says or keeps holds the value."""
        _, session = self.server.call("GET", f"/api/sessions/{sid}")
        _, run_events = self.server.call("GET", f"/api/runs/{message_id}/events")
        _, listing = self.server.call("GET", "/api/sessions")
        for name, text in [("GET /api/sessions/{id}", json.dumps(session)),
                           ("/api/runs/.../events", json.dumps(run_events)),
                           ("GET /api/sessions", json.dumps(listing)),
                           ("the DEBUG log", "".join(self.server.log_lines)),
                           *more]:
            with self.subTest(where=name):
                self.assertNotIn(value, text)
        return session, run_events

    def assert_store_clean(self, marker, values=(VALUE,)):
        """The store has written the run (`marker` is in it) and no value."""
        files = glob.glob(os.path.join(self.server.workdir, "data", "agenttheo.db*"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            stored = b"".join(read_bytes(f) for f in files)
            if marker.encode() in stored:
                break
            time.sleep(0.2)
        self.assertTrue(marker.encode() in stored, f"the store never held {marker}")
        for value in values:
            # Not assertNotIn: its message would print the whole database.
            self.assertFalse(value.encode() in stored, f"the store holds {value}")


class PlannerSignsIn(SecretsCase):
    @classmethod
    def server_args(cls):
        return ("--secrets-file", secrets_file(), "--log-level", "debug",
                "--planner-token-delay", "0")

    def test_the_page_gets_the_value_and_nothing_else_does(self):
        before = len(self.logins())
        command = (f"go to {self.login_page()} then type <secret:pw> into Password "
                   "then click Sign in then read the page")
        events, sent = self.stream(stream_path(command, messageId="secret-1"))
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        self.assertEqual(self.logins()[before:], [{"user": "theo", "pw": VALUE}])
        typed = [e.data for e in events if e.type == "tool_end"
                 and e.data["tool_name"] == "type_text"]
        self.assertEqual(typed[0]["output"][:22], 'typed "<secret:pw>" in')
        # The site echoes the password: the model reads the placeholder.
        read = [e.data["output"] for e in events if e.type == "tool_end"][-1]
        self.assertIn("You signed in with the password <secret:pw>.", read)
        sid = events[0].data["session"]
        session, _ = self.assert_no_trace(sid, "secret-1", ("the stream", sent))
        self.assertIn("<secret:pw>", json.dumps(session["conversation"]))
        self.assert_store_clean("You signed in with the password <secret:pw>.")

    def test_the_secret_is_refused_on_another_host(self):
        before = len(self.logins())
        # localhost is this machine too, but not a host the secret names.
        command = (f"go to {self.login_page('localhost')} then type <secret:pw> "
                   "into Password then click Sign in")
        events, sent = self.stream(stream_path(command, messageId="secret-2"))
        typed = [e.data for e in events if e.type == "tool_end"
                 and e.data["tool_name"] == "type_text"]
        self.assertEqual(typed[0]["ok"], False)
        self.assertEqual(typed[0]["output"],
                         "secret pw not allowed on this host (localhost)")
        self.assertEqual(self.logins()[before:], [])
        self.assertNotIn(VALUE, sent)

    def test_an_unknown_secret_types_nothing(self):
        command = f"go to {self.login_page()} then type <secret:nope> into Password"
        events, _ = self.stream(stream_path(command, messageId="secret-3"))
        typed = [e.data for e in events if e.type == "tool_end"
                 and e.data["tool_name"] == "type_text"]
        self.assertEqual(typed[0]["output"], "there is no secret named nope")


SESSION_VALUE = "own-Pin-7781#"
ROTATED_VALUE = "rotated-Pin-9902"


def typed_outputs(events):
    return [(e.data["ok"], e.data["output"]) for e in events
            if e.type == "tool_end" and e.data["tool_name"] == "type_text"]


class SessionSecrets(SecretsCase):
    """A session's own secrets, from POST and PATCH /api/sessions, over
    the server's."""

    @classmethod
    def server_args(cls):
        return ("--secrets-file", secrets_file(), "--log-level", "debug",
                "--planner-token-delay", "0")

    def sign_in(self, sid, name, message_id):
        command = (f"go to {self.login_page()} then type <secret:{name}> into "
                   "Password then click Sign in then read the page")
        return self.stream(stream_path(command, session=sid, messageId=message_id))

    def test_a_session_signs_in_with_its_own_secret_and_keeps_it(self):
        status, made = self.server.call("POST", "/api/sessions", {
            "title": "Bank", "secrets": {"pin": {"value": SESSION_VALUE,
                                                 "hosts": ["127.0.0.1"]}}})
        self.assertEqual(status, 201, made)
        own = {"name": "pin", "hosts": ["127.0.0.1"], "from": "session"}
        server = {"name": "pw", "hosts": ["127.0.0.1"], "from": "server"}
        self.assertEqual(made["secrets"], [own, server])
        sid = made["id"]
        before = len(self.logins())
        events, sent = self.sign_in(sid, "pin", "own-1")
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        self.assertEqual(self.logins()[before:], [{"user": "theo", "pw": SESSION_VALUE}])
        read = [e.data["output"] for e in events if e.type == "tool_end"][-1]
        self.assertIn("You signed in with the password <secret:pin>.", read)
        session, _ = self.assert_no_trace(sid, "own-1", ("the stream", sent),
                                          ("POST /api/sessions", json.dumps(made)),
                                          value=SESSION_VALUE)
        self.assertEqual((session["title"], session["secrets"]), ("Bank", [own, server]))
        self.assert_store_clean("You signed in with the password <secret:pin>.",
                                (VALUE, SESSION_VALUE))

        # Another session has the server's secrets only.
        events, _ = self.stream(stream_path(
            f"go to {self.login_page()} then type <secret:pin> into Password",
            messageId="other-1"))
        self.assertEqual(typed_outputs(events), [(False, "there is no secret named pin")])

        # A new value: the next run types it; the old one is still taken
        # out of whatever the session writes (here the command itself).
        status, patched = self.server.call("PATCH", f"/api/sessions/{sid}", {
            "secrets": {"pin": {"value": ROTATED_VALUE, "hosts": ["127.0.0.1"]}}})
        self.assertEqual((status, patched["secrets"]), (200, [own, server]))
        before = len(self.logins())
        events, sent = self.sign_in(sid, "pin", "own-2")
        self.assertEqual(self.logins()[before:], [{"user": "theo", "pw": ROTATED_VALUE}])
        events, sent = self.stream(stream_path(
            f"say {SESSION_VALUE} back", session=sid, messageId="own-3"))
        self.assertEqual(events[0].data["command"], "say <secret:pin> back")
        for value in (SESSION_VALUE, ROTATED_VALUE):
            self.assert_no_trace(sid, "own-3", ("the stream", sent), value=value)

        # Removed (null), the name types nothing and the server's pw stays.
        status, patched = self.server.call("PATCH", f"/api/sessions/{sid}",
                                           {"secrets": {"pin": None}})
        self.assertEqual((status, patched["secrets"]), (200, [server]))
        events, _ = self.sign_in(sid, "pin", "own-4")
        self.assertEqual(typed_outputs(events), [(False, "there is no secret named pin")])
        self.assertEqual(self.server.call("DELETE", f"/api/sessions/{sid}")[0], 200)
        self.assertEqual(self.server.call("GET", f"/api/sessions/{sid}")[0], 404)

    def test_a_session_secret_goes_over_the_server_one_by_name(self):
        _, made = self.server.call("POST", "/api/sessions", {
            "secrets": {"pw": {"value": SESSION_VALUE, "hosts": ["127.0.0.1"]}}})
        self.assertEqual(made["secrets"],
                         [{"name": "pw", "hosts": ["127.0.0.1"], "from": "session"}])
        before = len(self.logins())
        events, sent = self.sign_in(made["id"], "pw", "over-1")
        self.assertEqual(self.logins()[before:], [{"user": "theo", "pw": SESSION_VALUE}])
        # The server's value, hidden here, is still never shown.
        self.assertNotIn(VALUE, sent)
        self.assertNotIn(SESSION_VALUE, sent)

    def test_bad_secrets_are_refused_without_their_values(self):
        sid = self.server.call("POST", "/api/sessions")[1]["id"]
        many = {f"s{i}": {"value": f"value-{i}", "hosts": ["h"]} for i in range(65)}
        for method, path, body, code, why in [
            ("POST", "/api/sessions", {"secrets": {"pin": {"value": "ab1",
                                                           "hosts": ["h"]}}},
             "bad_secrets", "secret pin: value must be 4 to 4096 bytes"),
            ("POST", "/api/sessions", {"secrets": {"pin": None}},
             "bad_secrets", "a new session has no secret to remove"),
            ("POST", "/api/sessions", {"secrets": many}, "bad_secrets", "at most 64"),
            ("POST", "/api/sessions", "not json", "bad_body", "JSON object"),
            ("PATCH", f"/api/sessions/{sid}",
             {"secrets": {"pin": {"value": SESSION_VALUE, "hosts": []}}},
             "bad_secrets", "secret pin: hosts must be a non-empty array"),
            ("PATCH", f"/api/sessions/{sid}",
             {"secrets": {"pin": {"value": SESSION_VALUE, "hosts": ["https://x/"]}}},
             "bad_secrets", "each host must be a host name"),
            ("PATCH", f"/api/sessions/{sid}", {"secrets": ["pin"]},
             "bad_secrets", "must be a JSON object"),
            ("PATCH", f"/api/sessions/{sid}", {"secrets": many}, "bad_secrets",
             "at most 64"),
            ("PATCH", f"/api/sessions/{sid}", {}, "bad_body", "must change something"),
        ]:
            with self.subTest(method=method, body=str(body)[:60]):
                status, answer = self.server.call(method, path, body)
                self.assertEqual((status, answer["error"]["code"]), (400, code))
                self.assertIn(why, answer["error"]["message"])
                self.assertNotIn(SESSION_VALUE, json.dumps(answer))
        # 64 of its own are fine; the bad patches above changed nothing.
        self.assertEqual(self.server.call("GET", f"/api/sessions/{sid}")[1]["secrets"],
                         [{"name": "pw", "hosts": ["127.0.0.1"], "from": "server"}])
        many.pop("s0")
        status, patched = self.server.call("PATCH", f"/api/sessions/{sid}",
                                           {"secrets": many})
        self.assertEqual((status, len(patched["secrets"])), (200, 65))
        status, answer = self.server.call(
            "PATCH", "/api/sessions/s-nope",
            {"secrets": {"pin": {"value": SESSION_VALUE, "hosts": ["h"]}}})
        self.assertEqual((status, answer["error"]["code"]), (404, "unknown_session"))


class ModelSignsIn(UpstreamModel, SecretsCase):
    @classmethod
    def more_flags(cls):
        return ("--secrets-file", secrets_file(), "--log-level", "debug")

    def test_the_model_names_the_secret_and_never_sees_it(self):
        before = len(self.logins())
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.login_page()})]),
            tool_calls([("type_text", {"target": "Password", "text": "<secret:pw>"})]),
            tool_calls([("click", {"target": "Sign in"})]),
            tool_calls([("get_page_text", {})]),
            reply(["Signed in."]))
        events, sent = self.stream(stream_path("sign in", messageId="model-1"))
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        self.assertEqual(self.logins()[before:], [{"user": "theo", "pw": VALUE}])
        requests = json.dumps([r["body"] for r in self.upstream.requests])
        self.assertNotIn(VALUE, requests)
        system = self.upstream.requests[0]["body"]["messages"][0]["content"]
        self.assertIn("<secret:pw> (on 127.0.0.1)", system)
        last = self.upstream.requests[-1]["body"]["messages"][-1]
        self.assertIn("You signed in with the password <secret:pw>.", last["content"])
        self.assert_no_trace(events[0].data["session"], "model-1", ("the stream", sent))


# Mean brightness (0-255) of boxes [x, y, w, h] of a JPEG, decoded by a
# Chromium of the test's own (no image library needed).
REGION_MEANS = """(async () => {
  const img = new Image();
  img.src = 'data:image/jpeg;base64,%s';
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return %s.map(([x, y, w, h]) => {
    const d = g.getImageData(x, y, w, h).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
    return sum / (d.length / 4);
  });
})()"""


class ScreenshotsMaskSecrets(SecretsCase):
    @classmethod
    def server_args(cls):
        return ("--secrets-file", secrets_file(), "--planner-token-delay", "0",
                "--screenshot-after-actions", "false")

    def test_a_visible_secret_is_covered_in_the_screenshot_and_nothing_else(self):
        # recovery.html puts its text field at 40,100 (300 x 40) and its
        # heading above it; the value would show there in clear.
        page = f"http://127.0.0.1:{self.pages_port}/recovery.html"
        command = (f"go to {page} then take a screenshot then type <secret:pw> into "
                   "Recovery code then take a screenshot then read the page")
        events, _ = self.stream(stream_path(command, messageId="shot-1"))
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        shots = [e.data["image"] for e in events if e.type == "screenshot"]
        self.assertEqual(len(shots), 2)
        field, heading = [48, 106, 284, 28], [40, 14, 200, 24]

        async def means():
            async with Chromium() as browser:
                return [await browser.first.evaluate(
                    REGION_MEANS % (shot, json.dumps([field, heading])))
                    for shot in shots]

        (before_field, before_heading), (after_field, after_heading) = \
            asyncio.run(means())
        self.assertGreater(before_field, 200)   # an empty white field
        self.assertLess(after_field, 30)        # covered: black
        self.assertLess(abs(after_heading - before_heading), 3)
        # The page saw one box, for the second screenshot only, and it is
        # gone again.
        read = [e.data["output"] for e in events if e.type == "tool_end"][-1]
        self.assertIn("masks now: 0, most at once: 1", read)
        # Between captures too (the live view's frames): the field drew
        # the value as discs from its first character.
        self.assertIn(f"field draws: disc ({len(VALUE)} characters)", read)
        # The page kept the value in its localStorage; the page state the
        # store keeps for a restart holds the placeholder.
        self.assert_store_clean("recovery-code-typed")

    def test_a_field_without_a_secret_draws_its_text(self):
        page = f"http://127.0.0.1:{self.pages_port}/recovery.html"
        command = (f"go to {page} then type 12345678 into Recovery code "
                   "then read the page")
        events, _ = self.stream(stream_path(command, messageId="shot-2"))
        read = [e.data["output"] for e in events if e.type == "tool_end"][-1]
        self.assertIn("field draws: none (8 characters)", read)


class SecretsFileChecks(unittest.TestCase):
    def start_fails(self, path):
        done = subprocess.run(
            [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--browser", "none",
             "--store", "memory", "--secrets-file", path],
            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
            cwd=tempfile.mkdtemp(dir=SCRATCH.name))
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertNotIn(VALUE, done.stderr)
        return done.stderr

    def test_a_file_others_may_read_stops_startup(self):
        path = secrets_file(0o644)
        self.assertTrue(os.stat(path).st_mode & stat.S_IROTH)
        self.assertIn("may be read by others; chmod 600 it", self.start_fails(path))

    def test_a_bad_file_says_what_is_wrong_without_its_values(self):
        path = secrets_file()
        with open(path, "w") as f:
            json.dump({"pw": {"value": VALUE, "hosts": []}}, f)
        self.assertIn("secret pw: hosts must be a non-empty array", self.start_fails(path))


if __name__ == "__main__":
    unittest.main()
