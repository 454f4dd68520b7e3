"""The admin console in real headless Chromium against the real binary (with
a second Chromium as the agent's browser): the numbers and the actor tree
update live while the demo command runs (tool calls and the page appear and
the calls leave), the Cancel and Disconnect buttons act and their clients
see it, and with an admin token the page asks for it. A screenshot lands in
build/ui-screenshots/."""

import asyncio
import os
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import BINARY, Server, ServerTestCase, SseStream, Worker, stream_path  # noqa: E402
from cdp import Chromium  # noqa: E402
from test_agent_browser import start_page_server  # noqa: E402

SHOTS = os.path.join(os.path.dirname(BINARY), "ui-screenshots")

KINDS_SEEN = """(() => {
  const t = window.adminConsole.actors;
  if (!t) return [];
  return t.sessions.flatMap((s) => [s.kind, ...s.children.map((c) => c.kind)]);
})()"""


def text_of(element_id):
    return f"document.getElementById('{element_id}').textContent"


class AdminConsole(ServerTestCase):
    server_flags = ("--planner-token-delay", "80ms")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A page that takes a second to answer: the tool call opening it
        # outlives a refresh of the tree, however the timing falls.
        cls.pages, cls.pages_port = start_page_server()

    @classmethod
    def tearDownClass(cls):
        cls.pages.kill()
        cls.pages.wait()
        super().tearDownClass()

    def test_live_numbers_tree_and_actions(self):
        self.run_async(self.live_console(), 150)

    async def live_console(self):
        async with Chromium() as browser:
            tab = browser.first
            await tab.navigate(f"{self.server.base}/admin")
            await tab.wait_for("window.adminConsole && adminConsole.statsUpdates >= 2", 10)
            self.assertEqual(await tab.evaluate(text_of("live")), "live")
            before = await tab.evaluate("adminConsole.stats.totals.events_sent")

            # The demo command, after a slow page: the tree grows a page and
            # tool calls.
            demo = (f"go to http://127.0.0.1:{self.pages_port}/slow then go to "
                    f"{self.server.base}/demo/ then click Products then read the page")
            _, created = self.server.call("POST", "/api/sessions")
            sid = created["id"]
            self.server.call("POST", f"/api/sessions/{sid}/runs",
                             {"command": demo, "messageId": "console-demo"})
            # The model's turns, its tool calls and the session's page, each
            # in some refresh of the tree (the answer's turn and the slow
            # page's call each outlast a refresh).
            seen, rendered = set(), set()
            deadline = time.monotonic() + 60
            while not ({"llm_call", "tool_call", "page"} <= seen and "tool_call" in rendered):
                self.assertLess(time.monotonic(), deadline, (seen, rendered))
                seen.update(await tab.evaluate(KINDS_SEEN))
                rendered.update(await tab.evaluate(
                    "[...document.querySelectorAll('#actor-rows td.col-kind')]"
                    ".map((td) => td.textContent)"))
                await asyncio.sleep(0.05)
            await tab.wait_for(
                "adminConsole.stats.live.sessions_running === 0"
                " && adminConsole.stats.totals.tool_calls.ok >= 3", 60)
            # The numbers moved while it ran, and the calls left the tree.
            after = await tab.evaluate("adminConsole.stats.totals.events_sent")
            self.assertGreater(after, before)
            await tab.wait_for(f"!{KINDS_SEEN}.includes('tool_call')", 10)
            self.assertEqual(await tab.evaluate(text_of("n-sessions")), "1")
            self.assertIn("1 browser contexts", await tab.evaluate(text_of("n-running")))
            self.assertNotEqual(await tab.evaluate(text_of("l-ttft")), "–")
            # The offline planner has no price; its tokens count all the same.
            self.assertEqual(await tab.evaluate(text_of("n-cost")), "$0.0000")
            self.assertRegex(await tab.evaluate(text_of("n-llm-tokens")),
                             r"^[1-9][\d.]*(?: [kMG])? prompt · [1-9][\d.]*(?: [kMG])? completion tokens$")
            sparkline = await tab.evaluate(
                "document.querySelector('#s-events polyline').getAttribute('points')")
            self.assertGreater(len(sparkline.split()), 2)
            # The store (sqlite, the default) keeps up and has written the
            # run's events.
            await tab.wait_for("adminConsole.store?.events_written > 0", 10)
            self.assertEqual(await tab.evaluate(text_of("n-store")), "ok")
            self.assertIn("events written", await tab.evaluate(text_of("store-sub")))
            # The client that made the session tops the clients panel,
            # against its limits.
            await tab.wait_for("!!document.querySelector('#client-rows td')", 10)
            self.assertEqual(await tab.evaluate(
                "[...document.querySelectorAll('#client-rows tr:first-child td')]"
                ".slice(0, 2).map((td) => td.textContent)"), ["127.0.0.1", "1 / 100"])
            self.assertIn("limits per client: 100 sessions",
                          await tab.evaluate(text_of("n-clients")))
            os.makedirs(SHOTS, exist_ok=True)
            await tab.set_window(1280, 900)
            await tab.screenshot(os.path.join(SHOTS, "admin-console.png"))

            # Cancel from the console: the stream's client sees it.
            stream = SseStream(self.server.port, stream_path("hello", session=sid,
                                                             messageId="console-cancel"))
            stream.next_event()
            button = "document.querySelector('tr[data-actor] button[data-action=cancel]')"
            await tab.wait_for("(() => { const t = adminConsole.actors; return t &&"
                               " t.sessions.some((s) => s.state === 'running'); })()", 10)
            await tab.evaluate(f"{button}.click()")
            await tab.wait_for("adminConsole.lastAction && adminConsole.lastAction.status === 200", 10)
            events = await asyncio.to_thread(stream.read_all)
            cancelled = [e for e in events if e.type == "status"
                         and e.data.get("state") == "cancelled"]
            self.assertEqual(cancelled[0].data["message"], "cancelled by an operator")
            self.assertTrue(events[-1].data["cancelled"])
            # Said in neutral words that fade; the row has the session's
            # title, and its buttons are off while it is idle.
            news = await tab.evaluate("[document.getElementById('banner').textContent,"
                                      " document.getElementById('banner').className]")
            self.assertEqual(news[1], "banner news")
            self.assertTrue(news[0].startswith("Cancelled the run of session go to "
                                               f"http://127.0.0.1:{self.pages_port}/slow "
                                               "then") and news[0].endswith("…"), news[0])
            row = ("[...document.querySelectorAll('#actor-rows tr.session-row')].find("
                   f"(tr) => tr.querySelector('.col-name').textContent === '{sid}')")
            await tab.wait_for(f"{row}.querySelector('button[data-action=cancel]').disabled"
                               f" && {row}.querySelector('button[data-action=end]').disabled", 10)
            self.assertTrue((await tab.evaluate(f"{row}.querySelector('.col-detail')"
                                                ".textContent")).startswith("go to http://"))
            await tab.wait_for("document.getElementById('banner').hidden", 8)

            # Disconnect a watcher of the session.
            watcher = SseStream(self.server.port, f"/api/sessions/{sid}/stream")
            got = {}
            reader = threading.Thread(target=lambda: got.setdefault("events", watcher.read_all()))
            reader.start()
            watcher_button = ("[...document.querySelectorAll('#actor-rows tr')].find((tr) =>"
                              " tr.querySelector('.col-name').textContent === 'session stream')"
                              "?.querySelector('button[data-action=disconnect]')")
            await tab.wait_for(f"!!{watcher_button}", 10)
            await tab.evaluate(f"{watcher_button}.click()")
            await tab.wait_for("adminConsole.lastAction.action === 'disconnect'"
                               " && adminConsole.lastAction.status === 200", 10)
            await asyncio.to_thread(reader.join, 10)
            self.assertEqual(got["events"][-1].data["code"], "disconnected")
            await tab.wait_for(f"!{watcher_button}", 10)

            # End asks twice; the first click alone ends nothing.
            stream = SseStream(self.server.port, stream_path("hello", session=sid,
                                                             messageId="console-end"))
            stream.next_event()
            end = f"{row}.querySelector('button[data-action=end]')"
            await tab.wait_for(f"!{end}.disabled", 10)
            await tab.evaluate(f"{end}.click()")
            self.assertEqual(await tab.evaluate(f"{end}.textContent"), "Confirm end")
            await asyncio.sleep(0.3)
            self.assertEqual(self.server.call("GET", f"/api/sessions/{sid}")[0], 200)
            await tab.evaluate(f"{end}.click()")
            await tab.wait_for("adminConsole.lastAction.action === 'end'"
                               " && adminConsole.lastAction.status === 200", 10)
            await asyncio.to_thread(stream.read_all)
            self.assertEqual(self.server.call("GET", f"/api/sessions/{sid}")[0], 404)
            self.assertEqual(tab.errors, [])

    def test_an_operator_opens_any_runs_replay(self):
        self.run_async(self.operator_replay(), 90)

    async def operator_replay(self):
        _, created = self.server.call("POST", "/api/sessions")
        # The other tests count the server's sessions: this one goes after.
        self.addCleanup(self.server.call, "DELETE", f"/api/sessions/{created['id']}")
        self.server.call("POST", f"/api/sessions/{created['id']}/runs",
                         {"command": f"go to {self.server.base}/demo/",
                          "messageId": "console-replay"})
        deadline = time.monotonic() + 60
        while self.server.call("GET", "/api/runs/console-replay/events")[1]["state"] != "finished":
            self.assertLess(time.monotonic(), deadline)
            await asyncio.sleep(0.1)
        async with Chromium() as browser:
            tab = browser.first
            await tab.navigate(f"{self.server.base}/admin")
            await tab.wait_for("window.adminConsole && adminConsole.statsUpdates >= 1", 10)
            await tab.evaluate("window.opened = []; window.open = (u) => opened.push(u);"
                               "document.getElementById('replay-id').value = 'console-replay';"
                               "document.getElementById('replay-form').requestSubmit()")
            opened = await tab.evaluate("window.opened")
            self.assertEqual(opened, ["/?replay=console-replay"])
            await tab.navigate(f"{self.server.base}{opened[0]}")
            await tab.wait_for("!!document.getElementById('replay')", 10)
            await tab.evaluate("document.querySelector('.replay-speed').value = '8';"
                               "document.querySelector('.replay-speed').dispatchEvent(new Event('change'));"
                               "document.querySelector('.replay-play').click()")
            await tab.wait_for("document.getElementById('replay').dataset.state === 'ended'", 30)
            tools = await tab.evaluate("[...document.querySelectorAll('.timeline .tool .name')]"
                                       ".map((n) => n.textContent)")
            self.assertEqual(tools, ["navigate_to"])
            self.assertEqual(tab.errors, [])

    def test_an_operator_answers_what_waits_for_a_person(self):
        self.run_async(self.operator_answers(), 150)

    async def operator_answers(self):
        got = {}

        def follow():
            got["events"] = SseStream(self.server.port, stream_path(
                "ask me the colour of the shed", messageId="console-ask"),
                timeout=60).read_all()
        reader = threading.Thread(target=follow)
        reader.start()
        async with Chromium() as browser:
            tab = browser.first
            await tab.navigate(f"{self.server.base}/admin")
            await tab.wait_for("(adminConsole.interrupts || []).length === 1", 20)
            pending = await tab.evaluate("adminConsole.interrupts[0]")
            self.assertEqual((pending["kind"], pending["question"]),
                             ("question", "the colour of the shed"))
            row = f"document.querySelector('tr[data-interrupt-id=\"{pending['interrupt_id']}\"]')"
            await tab.evaluate(f"{row}.querySelector('input').value = 'teal'")
            await tab.evaluate(f"{row}.querySelector('.decide-answer').click()")
            await tab.wait_for("adminConsole.lastAction?.action === 'answer'"
                               " && adminConsole.lastAction.status === 200", 10)
            await asyncio.to_thread(reader.join, 30)
            decided = [e.data for e in got["events"] if e.type == "interrupt_resolved"]
            self.assertEqual([(d["decision"], d["by"], d["answer"]) for d in decided],
                             [("answer", "operator", "teal")])
            self.assertEqual(got["events"][-1].data["result"], "You answered: teal")
            await tab.wait_for("adminConsole.interrupts.length === 0"
                               " && !document.getElementById('no-interrupts').hidden", 10)
            self.assertEqual(tab.errors, [])
        # The other tests count the server's sessions: this one goes.
        session = got["events"][0].data["session"]
        self.assertEqual(self.server.call("DELETE", f"/api/sessions/{session}")[0], 200)

    def test_with_a_token_the_page_asks_for_it(self):
        self.run_async(self.login(), 150)

    async def login(self):
        with Server("--browser", "none", "--admin-token", "console-secret") as server:
            async with Chromium() as browser:
                tab = browser.first
                await tab.navigate(f"{server.base}/admin")
                await tab.wait_for("!document.getElementById('login').hidden", 10)
                self.assertEqual(await tab.evaluate(text_of("live")), "locked")
                await tab.evaluate("document.getElementById('token').value = 'console-secret';"
                                   "document.getElementById('login').requestSubmit()")
                await tab.wait_for("adminConsole.statsUpdates >= 1", 10)
                self.assertTrue(await tab.evaluate("document.getElementById('login').hidden"))
                # A single server has no worker nodes to show.
                await tab.wait_for("adminConsole.nodeUpdates >= 1", 10)
                self.assertTrue(await tab.evaluate(
                    "document.getElementById('nodes-panel').hidden"))
                # Failed fetches of the 401 show as console errors; nothing else.
                self.assertEqual([e for e in tab.errors if "401" not in e], [])

    def test_a_gateway_shows_its_worker_nodes(self):
        self.run_async(self.nodes(), 150)

    async def nodes(self):
        fast = ("--worker-heartbeat", "200ms", "--worker-timeout", "1500ms",
                "--worker-retry", "200ms")
        with Worker("--browser", "none", *fast) as one, \
                Worker("--browser", "none", *fast) as two, \
                Server("--workers", f"{one.address},{two.address}", *fast) as gateway:
            async with Chromium() as browser:
                tab = browser.first
                await tab.navigate(f"{gateway.base}/admin")
                rows = "[...document.querySelectorAll('#node-rows tr')]"
                await tab.wait_for(f"{rows}.length === 2 && {rows}.every((tr) =>"
                                   " tr.querySelector('.state').textContent === 'up')", 15)
                self.assertFalse(await tab.evaluate(
                    "document.getElementById('nodes-panel').hidden"))
                self.assertEqual(await tab.evaluate(text_of("n-nodes")), "2 of 2 up")
                # A session shows under the node that runs it.
                _, created = gateway.call("POST", "/api/sessions")
                await tab.wait_for(f"{rows}.some((tr) => tr.textContent.includes("
                                   f"'{created['id']}'))", 10)
                # A killed worker turns lost, and says why.
                one.kill()
                lost_row = (f"{rows}.find((tr) => tr.dataset.node === '{one.address}')")
                await tab.wait_for(f"{lost_row}.querySelector('.state').textContent"
                                   " === 'lost'", 10)
                self.assertIn("connection lost", await tab.evaluate(f"{lost_row}.textContent"))
                self.assertEqual(await tab.evaluate(text_of("n-nodes")), "1 of 2 up")
                os.makedirs(SHOTS, exist_ok=True)
                await tab.set_window(1280, 900)
                await tab.screenshot(os.path.join(SHOTS, "admin-nodes.png"))
                self.assertEqual(tab.errors, [])


if __name__ == "__main__":
    unittest.main()
