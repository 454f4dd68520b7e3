"""Steering a run live, with the real binary, real Chromium and the
scripted OpenAI-compatible upstream as the model: approvals enforced before
a tool runs (reject, approve, edit, a second decision, the timeout), every
watcher seeing the same interrupt, pause and resume between steps, and a
person taking the browser over a WebSocket, typing into a form, and handing
it back. A fixture server on loopback records every request the browser
makes, so "the page never loaded" is something the test can see."""

import asyncio
import http.server
import json
import os
import socketserver
import sys
import tempfile
import threading
import time
import unittest

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import Server, ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import ScriptedUpstream, reply, tool_calls  # noqa: E402

# Fields at fixed places, so a click "in the frame's space" lands on one.
LOGIN = """<!doctype html><title>Login</title>
<style>input,button{position:absolute;left:10px;width:300px;height:30px}</style>
<form action="/signed-in" method="get">
<input id="user" name="user" style="top:10px">
<input id="password" name="password" type="password" style="top:60px">
<button id="go" type="submit" style="top:110px">Sign in</button>
</form>
<p id="echo" style="position:absolute;top:160px"></p>
<script>
document.getElementById('user').addEventListener('input',
  (e) => { document.getElementById('echo').textContent = 'typed: ' + e.target.value; });
</script>"""


class Fixture(http.server.BaseHTTPRequestHandler):
    """Every page is its own path as a title, except /login; every request
    but the browser's own favicon fetch is recorded."""

    seen = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/favicon.ico":
            self.send_error(404)
            return
        Fixture.seen.append(self.path)
        html = LOGIN if self.path == "/login" else (
            f"<!doctype html><title>Page {self.path}</title><p>at {self.path}</p>"
            '<a id="next" href="/next">Next page</a>')
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_fixture(test_class):
    """The fixture server on a free loopback port, stopped with the class."""
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Fixture)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    test_class.addClassCleanup(httpd.server_close)
    test_class.addClassCleanup(httpd.shutdown)
    return httpd.server_address[1]


def model_flags(upstream):
    return ("--llm-provider", "compatible", "--llm-base-url", upstream.base_url,
            "--llm-model", "test-model", "--llm-api-key", "sk-test")


def read_until(stream, kind, limit=400):
    """Events up to and including the first of type `kind`."""
    events = []
    for event in stream.events():
        events.append(event)
        if event.type == kind or len(events) >= limit:
            return events
    raise AssertionError(f"the stream ended before `{kind}`: {events}")


def tool_messages(request):
    return [m for m in request["body"]["messages"] if m["role"] == "tool"]


class Steering(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = cls.enterClassContext(ScriptedUpstream())
        cls.fixture_port = start_fixture(cls)
        super().setUpClass()

    @classmethod
    def server_args(cls):
        return model_flags(cls.upstream)

    def setUp(self):
        Fixture.seen.clear()

    def page(self, path):
        return f"http://127.0.0.1:{self.fixture_port}{path}"

    def run_stream(self, command, **params):
        return SseStream(self.server.port, stream_path(command, **params),
                         timeout=60)

    def resolve(self, session, interrupt, body, admin=False):
        prefix = "/api/admin/sessions" if admin else "/api/sessions"
        return self.server.call("POST", f"{prefix}/{session}/interrupts/{interrupt}", body)

    def navigation_run(self, message_id, url, **params):
        """A run whose model opens `url` under approve=navigate, read up to
        its interrupt: (stream, events so far, the interrupt's data)."""
        self.upstream.play(tool_calls([("navigate_to", {"url": url})]),
                           reply(["Done."]))
        stream = self.run_stream("open the page", messageId=message_id,
                                 approve="navigate", **params)
        events = read_until(stream, "interrupt")
        return stream, events, events[-1].data

    # -- approvals -----------------------------------------------------------

    def test_a_rejected_navigation_never_loads_and_the_model_hears_why(self):
        stream, events, asked = self.navigation_run("rej-1", self.page("/secret"))
        self.assertEqual((asked["kind"], asked["rule"], asked["tool_name"]),
                         ("approval", "navigate", "navigate_to"))
        self.assertEqual(asked["tool_input"], {"url": self.page("/secret")})
        self.assertEqual(asked["reason"], "open " + self.page("/secret"))
        self.assertEqual(asked["options"], ["approve", "reject", "edit"])
        self.assertGreater(asked["expires_at"], time.time() * 1000 + 60_000)
        # The gate stands before the tool: nothing started it.
        self.assertNotIn("tool_start", [e.type for e in events])
        waiting = read_until(stream, "status")[-1].data
        self.assertEqual(waiting["state"], "waiting_for_human")
        session = events[0].data["session"]
        _, described = self.server.get_json(f"/api/sessions/{session}")
        self.assertEqual([p["interrupt_id"] for p in described["pending_interrupts"]],
                         [asked["interrupt_id"]])
        self.assertEqual(described["runs"][-1]["status"], "waiting_for_human")

        code, body = self.resolve(session, asked["interrupt_id"],
                                  {"decision": "reject", "message": "not that site"})
        self.assertEqual((code, body["decision"], body["by"]), (200, "reject", "api"))
        rest = stream.read_all()
        resolved = [e.data for e in rest if e.type == "interrupt_resolved"]
        self.assertEqual(resolved[0]["message"], "not that site")
        end = [e.data for e in rest if e.type == "tool_end"][0]
        self.assertEqual((end["ok"], end["output"]),
                         (False, "the user rejected this action: not that site"))
        self.assertEqual(rest[-1].type, "complete")
        self.assertEqual(tool_messages(self.upstream.requests[1])[-1]["content"],
                         "the user rejected this action: not that site")
        self.assertEqual(Fixture.seen, [])
        # The first decision won.
        code, again = self.resolve(session, asked["interrupt_id"], {"decision": "approve"})
        self.assertEqual((code, again["error"]["code"]), (409, "interrupt_resolved"))
        _, described = self.server.get_json(f"/api/sessions/{session}")
        self.assertEqual(described["pending_interrupts"], [])

    def test_approve_loads_the_page_and_edit_loads_the_edited_one(self):
        stream, events, asked = self.navigation_run("ok-1", self.page("/approved"))
        session = events[0].data["session"]
        code, _ = self.resolve(session, asked["interrupt_id"], {"decision": "approve"})
        self.assertEqual(code, 200)
        self.assertEqual(stream.read_all()[-1].type, "complete")
        self.assertEqual(Fixture.seen, ["/approved"])

        Fixture.seen.clear()
        stream, events, asked = self.navigation_run(
            "edit-1", self.page("/original"), session=session)
        bad = [({"decision": "answer", "answer": "x"}, 400, "bad_decision"),
               ({"decision": "edit"}, 400, "bad_tool_input"),
               ({"decision": "edit", "input": {"url": 5}}, 400, "bad_tool_input"),
               ({"decision": "edit", "input": {"link": "/x"}}, 400, "bad_tool_input"),
               ({"decision": "maybe"}, 400, "bad_decision"),
               ("not json", 400, "bad_body")]
        for body, status, code in bad:
            got, error = self.resolve(session, asked["interrupt_id"], body)
            self.assertEqual((got, error["error"]["code"]), (status, code), body)
        got, error = self.resolve(session, "int-nope", {"decision": "approve"})
        self.assertEqual((got, error["error"]["code"]), (404, "unknown_interrupt"))
        code, body = self.resolve(session, asked["interrupt_id"], {
            "decision": "edit", "input": {"url": self.page("/edited")}})
        self.assertEqual((code, body["input"]), (200, {"url": self.page("/edited")}))
        rest = stream.read_all()
        start = [e.data for e in rest if e.type == "tool_start"][0]
        self.assertEqual(start["tool_input"], {"url": self.page("/edited")})
        self.assertEqual(rest[-1].type, "complete")
        self.assertEqual(Fixture.seen, ["/edited"])

    def test_an_undecided_interrupt_takes_its_default_at_the_timeout(self):
        started = time.monotonic()
        stream, events, asked = self.navigation_run(
            "late-1", self.page("/late"), interrupt_timeout="1s")
        self.assertLess(asked["expires_at"], time.time() * 1000 + 1500)
        rest = stream.read_all()
        resolved = [e.data for e in rest if e.type == "interrupt_resolved"][0]
        self.assertEqual((resolved["decision"], resolved["by"]), ("reject", "timeout"))
        self.assertGreater(time.monotonic() - started, 0.9)
        self.assertTrue(tool_messages(self.upstream.requests[1])[-1]["content"]
                        .startswith("the user rejected this action"))
        self.assertEqual(Fixture.seen, [])

    def test_every_watcher_sees_it_and_a_reconnecting_one_gets_it(self):
        self.upstream.play(tool_calls([("navigate_to", {"url": self.page("/watched")})]),
                           reply(["Done."]))
        _, created = self.server.call("POST", "/api/sessions")
        session = created["id"]
        whole = SseStream(self.server.port, f"/api/sessions/{session}/stream",
                          timeout=60)
        run = self.run_stream("open it", session=session, messageId="watch-1",
                              approve="navigate")
        before = read_until(run, "interrupt")
        asked = before[-1].data
        self.assertEqual(read_until(whole, "interrupt")[-1].data, asked)
        # A client that lost its stream just before the interrupt gets it.
        late = SseStream(self.server.port, stream_path(
            messageId="watch-1", lastEventId=before[-2].id), timeout=60)
        self.assertEqual(late.next_event().data, asked)
        late.close()

        async def answer_over_websocket():
            async with aiohttp.ClientSession() as http, http.ws_connect(
                    f"ws://127.0.0.1:{self.server.port}/ws") as ws:
                await ws.send_json({"type": "resolve", "session": session, "ref": "r",
                                    "interrupt_id": asked["interrupt_id"],
                                    "decision": "approve"})
                return await next_json(ws)
        answer = self.run_async(answer_over_websocket())
        self.assertEqual((answer["type"], answer["ref"], answer["data"]["by"]),
                         ("resolved", "r", "ws"))
        for stream in (run, whole):
            decided = read_until(stream, "interrupt_resolved")[-1].data
            self.assertEqual((decided["decision"], decided["by"]), ("approve", "ws"))
        self.assertEqual(run.read_all()[-1].type, "complete")
        whole.close()
        self.assertEqual(Fixture.seen, ["/watched"])

    def test_typing_into_a_password_field_waits_for_approval(self):
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.page("/login")})]),
            tool_calls([("type_text", {"target": "#user", "text": "ada"}),
                        ("type_text", {"target": "#password", "text": "hunter2"})]),
            reply(["Signed in."]))
        stream = self.run_stream("sign in", messageId="pw-1",
                                 approve="type_sensitive")
        events = read_until(stream, "interrupt")
        asked = events[-1].data
        self.assertEqual((asked["rule"], asked["tool_input"]["target"]),
                         ("type_sensitive", "#password"))
        self.assertEqual(asked["reason"], "type into the password field on 127.0.0.1")
        # The plain field before it was typed into without asking.
        ends = [e.data for e in events if e.type == "tool_end"]
        self.assertEqual([(e["tool_name"], e["ok"]) for e in ends],
                         [("navigate_to", True), ("type_text", True)])
        code, _ = self.resolve(events[0].data["session"], asked["interrupt_id"],
                               {"decision": "approve"}, admin=True)
        self.assertEqual(code, 200)
        rest = stream.read_all()
        self.assertEqual([e.data["by"] for e in rest if e.type == "interrupt_resolved"],
                         ["operator"])
        self.assertTrue([e for e in rest if e.type == "tool_end"][0].data["ok"])
        self.assertEqual(rest[-1].type, "complete")

    # -- pause ---------------------------------------------------------------

    def test_a_paused_run_holds_before_its_next_step(self):
        # The first turn thinks for a while: the pause comes during it.
        self.upstream.play(
            tool_calls_slowly([("get_title", {})], delay=0.6),
            tool_calls([("navigate_to", {"url": self.page("/after-pause")})]),
            reply(["Done."]))
        stream = self.run_stream("look around", messageId="pause-1")
        events = read_until(stream, "progress")
        session = events[0].data["session"]
        code, body = self.server.call("POST", f"/api/sessions/{session}/pause")
        self.assertEqual((code, body["status"]), (200, "paused"))
        code, body = self.server.call("POST", f"/api/sessions/{session}/pause")
        self.assertEqual(code, 200)  # already paused: said again, nothing changes
        paused = read_until(stream, "status")
        self.assertEqual(paused[-1].data["state"], "paused")
        # The turn in flight finished and was kept; no step began after it.
        time.sleep(1.5)
        _, described = self.server.get_json(f"/api/sessions/{session}")
        run = described["runs"][-1]
        self.assertEqual((run["status"], run["steps"]), ("paused", 1))
        self.assertEqual(len(self.upstream.requests), 1)
        code, body = self.server.call("POST", f"/api/sessions/{session}/resume")
        self.assertEqual((code, body["status"]), (200, "running"))
        rest = stream.read_all()
        after = [e.type for e in rest]
        self.assertIn("tool_start", after)
        self.assertEqual(rest[-1].type, "complete")
        self.assertEqual(Fixture.seen, ["/after-pause"])
        code, error = self.server.call("POST", f"/api/sessions/{session}/resume")
        self.assertEqual((code, error["error"]["code"]), (409, "not_running"))

    # -- taking over ---------------------------------------------------------

    def test_a_person_takes_over_types_and_hands_back(self):
        self.run_async(self.take_over(), timeout=90)

    async def take_over(self):
        self.upstream.play(
            tool_calls([("navigate_to", {"url": self.page("/login")})]),
            tool_calls([("request_takeover", {"reason": "a login only you can do"})]),
            tool_calls([("get_page_text", {})]),
            reply(["You are signed in."]))
        url = f"ws://127.0.0.1:{self.server.port}/ws"
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            await ws.send_json({"type": "run", "command": "sign me in",
                                "messageId": "take-1", "ref": "run"})
            session = None
            asked = None
            while asked is None:
                msg = await next_json(ws)
                if msg["type"] == "subscribed":
                    session = msg["data"]["session"]
                if msg["type"] == "interrupt":
                    asked = msg["data"]
            self.assertEqual((asked["kind"], asked["options"]),
                             ("takeover", ["approve", "reject"]))
            self.assertIn("a login only you can do", asked["reason"])

            # No control yet: input is refused.
            await ws.send_json({"type": "input", "session": session, "ref": "early",
                                "event": {"type": "text", "text": "x"}})
            refused = await next_of(ws, "error")
            self.assertEqual(refused["data"]["code"], "not_in_control")

            await ws.send_json({"type": "control", "session": session,
                                "holder": "user", "ref": "c"})
            control = await next_of(ws, "control")
            self.assertEqual((control["data"]["holder"], control["data"]["by"]),
                             ("user", "ws"))
            self.assertEqual((await next_of(ws, "interrupt_resolved"))["data"]["decision"],
                             "approve")

            # Another client (another loopback address) may not type.
            connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
            async with aiohttp.ClientSession(connector=connector) as other, \
                    other.ws_connect(url) as intruder:
                await intruder.send_json({"type": "input", "session": session,
                                          "event": {"type": "text", "text": "x"}})
                said = await next_json(intruder)
                self.assertEqual(said["data"]["code"], "not_in_control")
                await intruder.send_json({"type": "control", "session": session,
                                          "holder": "user"})
                said = await next_json(intruder)
                self.assertEqual(said["data"]["code"], "control_held")

            # Click into the user field (its box is at 10,10 300x30), type.
            for kind in ("mousedown", "mouseup"):
                await ws.send_json({"type": "input", "session": session, "event": {
                    "type": kind, "x": 100, "y": 25, "button": "left"}})
            for key in "hi":
                for kind in ("keydown", "keyup"):
                    await ws.send_json({"type": "input", "session": session,
                                        "event": {"type": kind, "key": key}})
            await ws.send_json({"type": "input", "session": session,
                                "event": {"type": "text", "text": " there"}})
            await ws.send_json({"type": "input", "session": session,
                                "event": {"type": "wheel", "x": 5}})
            bad = await next_of(ws, "error")
            self.assertEqual(bad["data"]["code"], "bad_input_event")

            await ws.send_json({"type": "control", "session": session,
                                "holder": "agent", "ref": "back"})
            back = await next_of(ws, "control")
            self.assertEqual(back["data"]["holder"], "agent")
            events = []
            while not events or events[-1]["type"] != "complete":
                msg = await next_json(ws)
                if msg.get("messageId") == "take-1":
                    events.append(msg)
        text = [e["data"] for e in events if e["type"] == "tool_end"
                and e["data"]["tool_name"] == "get_page_text"][0]
        self.assertIn("typed: hi there", text["output"])
        told = tool_messages(self.upstream.requests[2])[-1]["content"]
        self.assertIn("The user had control of the browser and handed it back", told)
        self.assertIn(self.page("/login"), told)
        self.assertEqual(self.upstream.requests[-1]["body"]["messages"][-1]["role"], "tool")


class SteeringAcrossARestart(unittest.TestCase):
    """A decision pending when the server stops is still there after it
    starts again on the same store, and the page is where the run left it."""

    @classmethod
    def setUpClass(cls):
        cls.upstream = cls.enterClassContext(ScriptedUpstream())
        cls.fixture_port = start_fixture(cls)

    def test_an_approval_waits_through_a_restart_and_the_page_is_kept(self):
        Fixture.seen.clear()
        login = f"http://127.0.0.1:{self.fixture_port}/login"
        self.upstream.play(
            tool_calls([("navigate_to", {"url": login})]),
            tool_calls([("type_text", {"target": "#password", "text": "hunter2",
                                       "submit": True})]),
            reply(["Signed in."]))
        workdir = tempfile.TemporaryDirectory(prefix="agenttheo-steer-")
        self.addCleanup(workdir.cleanup)
        with Server(*model_flags(self.upstream), workdir=workdir.name) as first:
            stream = SseStream(first.port, stream_path(
                "sign in", messageId="restart-1", approve="type_sensitive"), timeout=60)
            events = read_until(stream, "interrupt")
            asked = events[-1].data
            self.assertEqual(asked["reason"], "type into the password field on 127.0.0.1")
            session = events[0].data["session"]
            self.assertEqual(first.stop(), 0)
        self.assertEqual(Fixture.seen, ["/login"])
        with Server(*model_flags(self.upstream), workdir=workdir.name) as second:
            resumed = SseStream(second.port, stream_path(messageId="restart-1"),
                                {"Last-Event-ID": str(events[-1].id)}, timeout=60)
            code, _ = second.call(
                "POST", f"/api/sessions/{session}/interrupts/{asked['interrupt_id']}",
                {"decision": "approve"})
            self.assertEqual(code, 200)
            rest = resumed.read_all()
            self.assertEqual(rest[-1].type, "complete", rest[-1].data)
            end = [e.data for e in rest if e.type == "tool_end"][0]
            self.assertTrue(end["ok"], end)
        # The page came back on the login form, and the approved typing
        # submitted it there.
        self.assertEqual(Fixture.seen, ["/login", "/login",
                                        "/signed-in?user=&password=hunter2"])


async def next_json(ws, timeout=20):
    """The next text message (screenshots and frames are binary: skipped)."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        if msg.type == aiohttp.WSMsgType.TEXT:
            return json.loads(msg.data)
        if msg.type != aiohttp.WSMsgType.BINARY:
            raise AssertionError(f"the socket ended: {msg}")


async def next_of(ws, kind, timeout=20):
    """The next message of type `kind` (others are skipped)."""
    while True:
        msg = await next_json(ws, timeout)
        if msg["type"] == kind:
            return msg


def tool_calls_slowly(calls, delay):
    """tool_calls(calls), after `delay` seconds of thinking."""
    script = tool_calls(calls)

    async def play(request, upstream):
        await asyncio.sleep(delay)
        return await script(request, upstream)
    return play


if __name__ == "__main__":
    unittest.main()
