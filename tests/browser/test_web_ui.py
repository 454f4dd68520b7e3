"""The web UI in real headless Chromium against the real binary (and, for the
agent's browser, a second real Chromium): a demo command streams tokens,
steps, tool calls and a screenshot into the page; Escape stops a run; a
reload mid-run and a dropped connection both resume without a duplicate or a
missing event; a second tab on the same session sees the same live events;
errors read as sentences. Screenshots of the page land in
build/ui-screenshots/ for a person to look at."""

import asyncio
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import BINARY, Server, ServerTestCase  # noqa: E402
from cdp import Chromium  # noqa: E402
from scripted_upstream import ScriptedUpstream, status  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402

SHOTS = os.path.join(os.path.dirname(BINARY), "ui-screenshots")

# What the page shows, read from its DOM (and the events it dispatched).
PAGE_STATE = """(() => {
  const page = window.agentTheo;
  const text = (node) => node ? node.textContent : null;
  const runs = [...page.runs.values()].map((v) => ({
    messageId: v.messageId, state: v.state, finished: v.finished,
    answer: v.answer.textContent, streaming: v.answer.classList.contains('streaming'),
    tools: [...v.timeline.querySelectorAll('.tool')].map((t) => ({
      name: text(t.querySelector('.name')), verdict: text(t.querySelector('.verdict')),
      output: text(t.querySelector('.output')) })),
    notes: [...v.timeline.querySelectorAll('.note')].map(text),
    progress: [v.progress.value, v.progress.max], footer: v.footer.textContent,
    report: v.footer.querySelector('.report-link')?.getAttribute('href') ?? null,
    problems: [...v.problems.children].map((c) => ({ code: c.dataset.code || null,
                                                    text: c.textContent })) }));
  const shot = document.getElementById('screenshot');
  return {
    session: page.session, runs, received: page.received,
    turns: document.querySelectorAll('article.turn').length,
    banner: page.banner.hidden ? null : page.banner.textContent,
    stopDisabled: document.getElementById('stop').disabled,
    url: text(document.getElementById('page-url')),
    screenshot: shot.hidden ? null : { kind: shot.src.split(':')[0],
                                       width: shot.naturalWidth },
    frames: page.browser.frames ?? 0,
    transport: document.getElementById('transport').dataset.transport ?? null,
    llm: text(document.getElementById('llm')),
    pageProblems: [...document.querySelectorAll('#conversation > .problem')].map(
      (p) => ({ code: p.dataset.code, text: p.textContent })),
    stats: page.stream ? page.stream.stats : null,
    location: location.pathname + location.search,
  };
})()"""


def last_run(state):
    return state["runs"][-1]


def received_for(state, message_id):
    return [(e["id"], e["type"]) for e in state["received"]
            if e["messageId"] == message_id]


class Ui:
    """One tab showing the web UI."""

    def __init__(self, tab, base):
        self.tab = tab
        self.base = base

    async def open(self, path="/", width=1280, height=800):
        await self.tab.set_window(width, height)
        await self.tab.navigate(self.base + path)
        await self.tab.wait_for("window.agentTheo !== undefined")

    async def state(self):
        return await self.tab.evaluate(PAGE_STATE)

    async def type(self, text):
        await self.tab.evaluate("document.getElementById('command').focus()")
        await self.tab.call("Input.insertText", text=text)

    async def press(self, key, code, key_code):
        for kind in ("keyDown", "keyUp"):
            await self.tab.call("Input.dispatchKeyEvent", type=kind, key=key,
                                code=code, windowsVirtualKeyCode=key_code,
                                text="\r" if key == "Enter" and kind == "keyDown" else "")

    async def send(self, command):
        """Types the command and presses Enter, as a person would."""
        await self.type(command)
        await self.press("Enter", "Enter", 13)
        return await self.tab.wait_for(
            f"window.agentTheo && [...agentTheo.runs.values()].some("
            f"(v) => v.element.querySelector('.bubble').textContent === {json.dumps(command)})"
            f" && [...agentTheo.runs.values()].at(-1).messageId")

    async def finished(self, message_id, timeout=60):
        await self.tab.wait_for(
            f"agentTheo.runs.get({json.dumps(message_id)})?.finished === true", timeout)
        return await self.state()

    async def received_a(self, event_type, timeout=60):
        await self.tab.wait_for(
            f"agentTheo.received.some((e) => e.type === {json.dumps(event_type)})",
            timeout)

    async def shot(self, name):
        return await self.tab.screenshot(os.path.join(SHOTS, name))


class WebUi(ServerTestCase):
    # Tokens at 25 ms each: a demo run takes a few seconds, long enough to
    # reload, drop the connection or open a second tab in the middle.
    server_flags = ("--planner-token-delay", "25ms")

    def demo_command(self, base=None):
        return (f"go to {base or self.server.base}/demo/ then click Products "
                f"then read the page")

    def server_events(self, message_id):
        status_code, body = self.server.call("GET", f"/api/runs/{message_id}/events")
        self.assertEqual(status_code, 200, body)
        return body

    def assert_saw_whole_run(self, state, message_id):
        """The page dispatched exactly the run's events: each once, in order,
        none missing, attributed to the right run."""
        truth = self.server_events(message_id)
        self.assertEqual(truth["state"], "finished")
        expected = [(e["id"], e["type"]) for e in truth["events"]]
        self.assertEqual(received_for(state, message_id), expected)
        self.assertEqual(expected[0][1], "start")
        self.assertIn(expected[-1][1], ("complete", "error"))
        return truth

    def assert_demo_answer(self, run, truth):
        result = truth["events"][-1]["data"]["result"]
        self.assertEqual(run["answer"], result)
        self.assertIn("Watering can", run["answer"])
        self.assertEqual([(t["name"], t["verdict"]) for t in run["tools"]],
                         [("navigate_to", "ok"), ("click", "ok"),
                          ("get_page_text", "ok")])
        self.assertEqual(run["progress"], [4, 4])
        self.assertTrue(run["footer"].startswith("Done · 4 steps"), run["footer"])
        # A finished run offers its report, which the server has.
        self.assertTrue(run["footer"].endswith(" · Replay · Download report"), run["footer"])
        self.assertEqual(run["report"], f"/api/runs/{truth['messageId']}/report")
        status, headers, _ = self.server.get(run["report"])
        self.assertEqual((status, headers["Content-Type"]), (200, "text/html; charset=utf-8"))

    def run_async(self, coro, timeout=150):
        return super().run_async(coro, timeout)

    # -- the demo, and what a person sees -------------------------------------

    def test_a_demo_command_streams_into_the_page(self):
        self.run_async(self.demo_command_streams())

    def test_a_finished_run_replays_as_it_happened(self):
        self.run_async(self.replay_run())

    async def replay_run(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            mid = await ui.send(self.demo_command())
            live = last_run(await ui.finished(mid))
            # The finished run links its replay.
            href = await ui.tab.evaluate(
                f"agentTheo.runs.get({json.dumps(mid)}).footer"
                ".querySelector('.replay-link').getAttribute('href')")
            self.assertEqual(href, f"/?replay={mid}")
            truth = self.server_events(mid)["events"]
            await ui.open(href)
            await ui.tab.wait_for("!!document.getElementById('replay')")
            bar = "document.getElementById('replay')"
            # At 0: only what the first instant held; no composer.
            start = await ui.state()
            self.assertEqual(await ui.tab.evaluate(
                "getComputedStyle(document.getElementById('composer')).display"), "none")
            first_ts = truth[0]["ts"]
            self.assertEqual(received_for(start, mid),
                             [(e["id"], e["type"]) for e in truth if e["ts"] <= first_ts])
            # Played at 8x: the same answer and tool cards as the live run.
            await ui.tab.evaluate(f"{bar}.querySelector('.replay-speed').value = '8';"
                                  f"{bar}.querySelector('.replay-speed')"
                                  ".dispatchEvent(new Event('change'))")
            began = time.monotonic()
            await ui.tab.evaluate(f"{bar}.querySelector('.replay-play').click()")
            await ui.tab.wait_for(f"{bar}.dataset.state === 'ended'", 60)
            took = time.monotonic() - began
            end = last_run(await ui.state())
            duration = (truth[-1]["ts"] - first_ts) / 1000
            self.assertLess(took, duration / 8 + 1.5, f"8x took {took} s of {duration} s")
            self.assertEqual(end["answer"], live["answer"])
            self.assertEqual(end["tools"], live["tools"])
            self.assertEqual(received_for(await ui.state(), mid),
                             [(e["id"], e["type"]) for e in truth])
            shown = await ui.tab.evaluate("document.getElementById('screenshot').src")
            self.assertIn(f"/api/runs/{mid}/frames/", shown)
            # A seek to the middle shows only what had happened by then.
            middle = (truth[-1]["ts"] - first_ts) // 2
            await ui.tab.evaluate(f"(() => {{ const s = {bar}.querySelector('.replay-slider');"
                                  f" s.value = {middle}; s.dispatchEvent(new Event('input')); }})()")
            mid_state = await ui.state()
            due = [e for e in truth if e["ts"] <= first_ts + middle]
            self.assertLess(len(due), len(truth))
            self.assertEqual(received_for(mid_state, mid), [(e["id"], e["type"]) for e in due])
            self.assertEqual(len(last_run(mid_state)["tools"]),
                             sum(e["type"] == "tool_start" for e in due))
            marks = await ui.tab.evaluate(
                f"[{bar}.querySelectorAll('.replay-mark.tool').length,"
                f" {bar}.querySelectorAll('.replay-mark.step').length]")
            self.assertEqual(marks, [sum(e["type"] == "tool_start" for e in truth),
                                     sum(e["type"] == "progress" for e in truth)])
            await ui.shot("replay.png")
            self.assertEqual(ui.tab.errors, [])

    def test_a_run_that_could_not_finish_shows_as_failed(self):
        self.run_async(self.failed_run_shows())

    async def failed_run_shows(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            mid = await ui.send(f"go to {self.server.base}/demo/ "
                                "then click No such button")
            run = last_run(await ui.finished(mid))
            self.assertEqual(run["state"], "failed")
            self.assertEqual(run["problems"][0]["code"], "run_failed")
            self.assertIn("I could not finish: click failed",
                          run["problems"][0]["text"])
            self.assertTrue(run["footer"].startswith("Could not finish · 3 steps"),
                            run["footer"])
            self.assertEqual([(t["name"], t["verdict"]) for t in run["tools"]],
                             [("navigate_to", "ok"), ("click", "failed")])
            self.assertEqual(ui.tab.errors, [])

    def test_the_url_bar_shows_what_could_not_be_opened(self):
        self.run_async(self.url_bar_follows())

    async def url_bar_follows(self):
        bar = ("[document.getElementById('page-url').textContent,"
               " document.querySelector('.urlbar .dot').className]")
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            self.assertEqual(await ui.tab.evaluate(bar), ["no page yet", "dot none"])
            demo = f"{self.server.base}/demo/"
            await ui.finished(await ui.send(f"go to {demo}"))
            self.assertEqual(await ui.tab.evaluate(bar), [demo, "dot open"])
            # Port 1: the browser refuses it, no connection is made.
            await ui.finished(await ui.send("go to http://127.0.0.1:1/"))
            self.assertEqual(await ui.tab.evaluate(bar),
                             ["http://127.0.0.1:1/", "dot failed"])
            await ui.finished(await ui.send("read the title"))
            self.assertEqual(await ui.tab.evaluate(bar),
                             ["http://127.0.0.1:1/", "dot failed"])
            # (A command of its own: `send` finds its run by the command.)
            await ui.finished(await ui.send(f"go to {demo}about.html"))
            self.assertEqual(await ui.tab.evaluate(bar),
                             [f"{demo}about.html", "dot open"])
            self.assertEqual(ui.tab.errors, [])

    async def demo_command_streams(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            llm = await ui.tab.wait_for(
                "document.getElementById('llm').textContent.includes('planner')"
                " && document.getElementById('llm').textContent")
            self.assertIn("offline planner", llm)
            await ui.shot("welcome-wide.png")
            await ui.tab.evaluate("document.getElementById('try-demo').click()")
            # Tokens show up while the run is still going.
            await ui.tab.wait_for(
                "(() => { const v = [...agentTheo.runs.values()].at(-1);"
                " return v && !v.finished && v.answer.classList.contains('streaming')"
                " && v.answer.textContent.length > 0; })()")
            # Mid-run, with a step or more done: the README's picture
            # (tools/readme_screenshot.sh copies it to docs/ui.png).
            await ui.tab.wait_for("document.querySelectorAll('.tool.ok').length >= 2"
                                  " && !document.getElementById('screenshot').hidden")
            await ui.shot("demo-mid-run-wide.png")
            mid = (await ui.state())["runs"][-1]["messageId"]
            state = await ui.finished(mid)
            run = last_run(state)
            truth = self.assert_saw_whole_run(state, mid)
            self.assert_demo_answer(run, truth)
            self.assertEqual(run["state"], "done")
            self.assertFalse(run["streaming"])
            # Over WebSocket: screenshots and live frames as blobs of JPEG.
            self.assertEqual(state["transport"], "websocket")
            self.assertEqual(state["screenshot"]["kind"], "blob")
            self.assertGreater(state["screenshot"]["width"], 0)
            self.assertGreater(state["frames"], 0)
            self.assertEqual(state["url"], f"{self.server.base}/demo/products.html")
            self.assertEqual(state["location"], f"/?session={state['session']}")
            self.assertTrue(state["stopDisabled"])
            await ui.tab.wait_for(
                f"!!document.querySelector('li[data-id=\"{state['session']}\"] .session')")
            await ui.shot("demo-wide.png")

            # A second command continues the same session on the same page.
            second = await ui.send("read the page")
            state = await ui.finished(second)
            self.assertEqual(state["turns"], 2)
            self.assertIn("Watering can", last_run(state)["answer"])
            status_code, described = self.server.call(
                "GET", f"/api/sessions/{state['session']}")
            self.assertEqual([r["messageId"] for r in described["runs"]],
                             [mid, second])

            await ui.tab.evaluate(
                "document.querySelectorAll('.tool details').forEach((d) => d.open = true)")
            await ui.shot("demo-tools-open-wide.png")
            await ui.tab.set_window(390, 844)
            await asyncio.sleep(0.4)  # the sessions drawer slides away
            layout = await ui.tab.evaluate("""(() => {
              const rect = (id) => document.getElementById(id).getBoundingClientRect();
              return { scrollWidth: document.documentElement.scrollWidth,
                       send: rect('send').right, stop: rect('stop').left,
                       composerBottom: document.querySelector('.composer')
                         .getBoundingClientRect().bottom,
                       sessionsHidden: rect('sessions').right <= 0 };
            })()""")
            await ui.shot("demo-narrow.png")
            self.assertLessEqual(layout["scrollWidth"], 390)
            self.assertLessEqual(layout["send"], 390)
            self.assertLessEqual(layout["composerBottom"], 844)
            self.assertTrue(layout["sessionsHidden"])
            await ui.tab.evaluate("document.getElementById('toggle-sessions').click()")
            await asyncio.sleep(0.3)
            await ui.shot("sessions-drawer-narrow.png")
            self.assertEqual(ui.tab.errors, [])

    # -- stop -------------------------------------------------------------------

    def test_escape_stops_the_run(self):
        self.run_async(self.escape_stops())

    async def escape_stops(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            mid = await ui.send(f"go to {self.server.base}/demo/ then wait for "
                                f"words that never appear")
            await ui.tab.wait_for(
                "[...document.querySelectorAll('.tool.running .name')]"
                ".some((n) => n.textContent === 'wait_for')")
            self.assertFalse((await ui.state())["stopDisabled"])
            asked = time.monotonic()
            await ui.press("Escape", "Escape", 27)
            state = await ui.finished(mid, timeout=10)
            took = time.monotonic() - asked
            run = last_run(state)
            self.assertLess(took, 5)
            self.assertEqual(run["state"], "cancelled")
            self.assertTrue(run["footer"].startswith("Stopped"), run["footer"])
            self.assertTrue(any(n.startswith("cancelled:") for n in run["notes"]))
            self.assertTrue(state["stopDisabled"])
            truth = self.assert_saw_whole_run(state, mid)
            self.assertTrue(truth["events"][-1]["data"]["cancelled"])
            await ui.shot("stopped-wide.png")
            self.assertEqual(ui.tab.errors, [])

    # -- resume -------------------------------------------------------------------

    def test_a_reload_mid_run_resumes_without_duplicates(self):
        self.run_async(self.reload_mid_run())

    async def reload_mid_run(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            mid = await ui.send(self.demo_command())
            await ui.received_a("tool_end")
            before = await ui.state()
            await ui.tab.reload()
            reloaded_at_ms = time.time() * 1000
            await ui.tab.wait_for("window.agentTheo !== undefined")
            state = await ui.finished(mid)
            self.assertEqual(state["session"], before["session"])
            self.assertEqual(state["location"], f"/?session={before['session']}")
            truth = self.assert_saw_whole_run(state, mid)
            self.assert_demo_answer(last_run(state), truth)
            # The run was still going when the page came back.
            _, described = self.server.call("GET", f"/api/sessions/{state['session']}")
            self.assertGreater(described["runs"][-1]["ended_at"], reloaded_at_ms)
            self.assertEqual(state["stats"]["duplicates"], 0)
            self.assertEqual(ui.tab.errors, [])

    def test_a_dropped_websocket_resumes_where_it_stopped(self):
        self.run_async(self.dropped_connection("websocket"))

    def test_without_websocket_it_falls_back_to_sse_and_resumes_too(self):
        # A relay that refuses WebSocket upgrades, as some proxies do.
        self.run_async(self.dropped_connection("sse"))

    async def dropped_connection(self, transport):
        async with TcpProxy(self.server.port, refuse_websocket=transport == "sse") as proxy, \
                Chromium() as browser:
            base = f"http://127.0.0.1:{proxy.port}"
            ui = Ui(browser.first, base)
            await ui.open("/")
            # The agent's own browser goes to the server directly: the
            # outage is the page's connection, not the agent's web.
            mid = await ui.send(self.demo_command())
            self.assertEqual((await ui.state())["transport"], transport)
            label = await ui.tab.evaluate("document.getElementById('transport').textContent")
            self.assertEqual(label, "live over " + {"sse": "SSE",
                                                    "websocket": "WebSocket"}[transport])
            await ui.received_a("tool_end")
            outage = asyncio.create_task(proxy.outage(1.5))
            banner = await ui.tab.wait_for(
                "!document.getElementById('banner').hidden"
                " && document.getElementById('banner').textContent", 10)
            self.assertIn("reconnecting", banner)
            await outage
            state = await ui.finished(mid)
            self.assertGreaterEqual(proxy.dropped, 1)
            self.assertIsNone(state["banner"])
            self.assertGreaterEqual(state["stats"]["reconnects"], 1)
            self.assertEqual(state["stats"]["duplicates"], 0)
            truth = self.assert_saw_whole_run(state, mid)
            self.assert_demo_answer(last_run(state), truth)
            self.assertEqual(ui.tab.errors, [])

    # -- watching from elsewhere ----------------------------------------------------

    def test_a_second_tab_sees_the_same_live_events(self):
        self.run_async(self.second_tab())

    async def second_tab(self):
        async with Chromium() as browser:
            first = Ui(browser.first, self.server.base)
            await first.open("/")
            mid = await first.send(self.demo_command())
            # Held as soon as it has started: it cannot finish while the
            # second tab opens, however slow the machine. (Held after its
            # first progress, a loaded CI machine's tab saw that progress
            # so late that the run was already in its final answer.)
            await first.received_a("start")
            sid = (await first.state())["session"]
            status_code, body = self.server.call("POST", f"/api/sessions/{sid}/pause")
            self.assertEqual(status_code, 200, body)
            second = Ui(await browser.new_tab(), self.server.base)
            await second.open("/")
            # Join from the sidebar, as a person would.
            pick = f"li[data-id=\"{sid}\"] .session"
            await second.tab.wait_for(f"!!document.querySelector('{pick}')")
            await second.tab.evaluate(f"document.querySelector('{pick}').click()")
            await second.tab.wait_for("agentTheo.received.length > 0")
            watching = await second.state()
            self.assertFalse(any(r["finished"] for r in watching["runs"]
                                 if r["messageId"] == mid))
            _, listed = self.server.call("GET", "/api/sessions")
            subscribers = {s["id"]: s["subscribers"] for s in listed["sessions"]}
            self.assertEqual(subscribers[sid], 2)
            status_code, body = self.server.call("POST", f"/api/sessions/{sid}/resume")
            self.assertEqual(status_code, 200, body)
            one = await first.finished(mid)
            two = await second.finished(mid)
            self.assertEqual(two["session"], sid)
            self.assertEqual(two["location"], f"/?session={sid}")
            truth = self.assert_saw_whole_run(one, mid)
            self.assert_saw_whole_run(two, mid)
            self.assertEqual(received_for(one, mid), received_for(two, mid))
            self.assert_demo_answer(last_run(two), truth)
            self.assertGreater(two["screenshot"]["width"], 0)
            await second.shot("second-tab-wide.png")
            self.assertEqual(first.tab.errors + second.tab.errors, [])

    # -- modes and errors -----------------------------------------------------------

    def test_stream_mode_and_bad_input(self):
        self.run_async(self.mode_and_errors())

    async def mode_and_errors(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            # A command over MAX_COMMAND_LENGTH (the page learns it from
            # /health): said beside Send, which it disables; Enter sends
            # nothing, and the text stays to be shortened.
            await ui.tab.wait_for("agentTheo.maxCommand === 4000")
            await ui.type("x" * 4001)
            await ui.press("Enter", "Enter", 13)
            length = ("[document.getElementById('command-length').hidden,"
                      " document.getElementById('command-length').textContent,"
                      " document.getElementById('send').disabled]")
            self.assertEqual(await ui.tab.evaluate(length),
                             [False, "4,001 bytes: the server takes at most 4,000", True])
            await asyncio.sleep(0.3)
            state = await ui.state()
            self.assertEqual((state["turns"], state["pageProblems"], state["session"]),
                             (0, [], None))
            await ui.press("Backspace", "Backspace", 8)
            self.assertEqual(await ui.tab.evaluate(length), [False, "4,000 / 4,000", False])

            # Only the `messages` events: tokens and the answer, no timeline.
            await ui.tab.evaluate(
                "const m = document.getElementById('mode'); m.value = 'messages';"
                "m.dispatchEvent(new Event('change'))")
            await ui.tab.evaluate("document.getElementById('command').value = ''")
            mid = await ui.send(f"go to {self.server.base}/demo/products.html")
            state = await ui.finished(mid)
            types = {t for _, t in received_for(state, mid)}
            self.assertLessEqual(types, {"start", "status", "token", "message",
                                         "complete", "error", "gap"})
            self.assertIn("token", types)
            run = last_run(state)
            self.assertEqual(run["tools"], [])
            self.assertEqual(run["state"], "done")
            truth = self.server_events(mid)
            self.assertEqual(run["answer"], truth["events"][-1]["data"]["result"])
            self.assertEqual(ui.tab.errors, [])


    # -- the session ends -----------------------------------------------------------

    def test_a_deleted_session_ends_the_stream_for_good(self):
        self.run_async(self.deleted_session())

    async def deleted_session(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            mid = await ui.send(f"go to {self.server.base}/demo/about.html")
            state = await ui.finished(mid)
            status_code, _ = self.server.call("DELETE", f"/api/sessions/{state['session']}")
            self.assertEqual(status_code, 200)
            code = await ui.tab.wait_for(
                "document.querySelector('#conversation > .problem')?.dataset.code")
            self.assertEqual(code, "session_closed")
            await asyncio.sleep(1.5)  # no reconnect attempts follow
            state = await ui.state()
            self.assertEqual(await ui.tab.evaluate("agentTheo.stream.state"), "done")
            self.assertEqual(state["stats"]["reconnects"], 0)
            self.assertIsNone(state["banner"])
            self.assertEqual(state["location"], "/")
            self.assertEqual(ui.tab.errors, [])

    # -- the client module, on another page ------------------------------------------

    def test_the_stream_module_works_on_any_page_over_websocket(self):
        self.run_async(self.module_on_another_page("websocket"))

    def test_the_stream_module_works_on_any_page_over_sse(self):
        self.run_async(self.module_on_another_page("sse"))

    async def module_on_another_page(self, transport):
        async with Chromium() as browser:
            tab = browser.first
            await tab.navigate(f"{self.server.base}/demo/")
            products = f"{self.server.base}/demo/products.html"
            got = await tab.evaluate("""(async () => {
              const { EventStream } = await import('/agenttheo-stream.js');
              const follow = (url, options = {}) => new Promise((resolve) => {
                const seen = { events: [], states: [] };
                seen.stream = new EventStream(url, { ...options, transport: 'TRANSPORT',
                  onEvent: (type, data, id) => seen.events.push([type, id]),
                  onState: (state, detail) => {
                    seen.states.push([state, detail]);
                    if (state === 'done' || state === 'failed')
                      resolve({ events: seen.events, states: seen.states,
                                stats: seen.stream.stats,
                                transport: seen.stream.transport });
                  } });
              });
              const id = 'module-TRANSPORT';
              const run = await follow(`/stream?messageId=${id}&command=`
                                       + encodeURIComponent('go to PRODUCTS'));
              const last = run.events.at(-1)[1];
              const replay = await follow(`/stream?messageId=${id}`);
              const finished = await follow(`/stream?messageId=${id}`,
                                            { lastEventId: last });
              const bad = await follow('/stream?command=x&stream_mode=bogus');
              return { run, replay, finished, bad };
            })()""".replace("PRODUCTS", products).replace("TRANSPORT", transport))
            run = got["run"]
            via = {"transport": transport}
            self.assertEqual(run["transport"], transport)
            self.assertEqual(run["events"][0][0], "start")
            self.assertEqual(run["events"][-1][0], "complete")
            self.assertIn("screenshot", [t for t, _ in run["events"]])
            ids = [i for _, i in run["events"]]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
            self.assertEqual(run["states"], [["open", via], ["done", via]])
            self.assertEqual(got["replay"]["events"], run["events"])
            # Nothing left after the last id: the server's 204, read as done.
            self.assertEqual(got["finished"]["events"], [])
            self.assertEqual(got["finished"]["states"][-1],
                             ["done", {**via, "status": 204}])
            # A bad request: the server's JSON error, not a reconnect loop.
            bad = got["bad"]
            self.assertEqual(bad["states"][-1][0], "failed")
            self.assertEqual(bad["states"][-1][1]["status"], 400)
            self.assertEqual(bad["states"][-1][1]["code"], "bad_stream_mode")
            self.assertEqual(bad["stats"]["reconnects"], 0)
            self.assertEqual(tab.errors, [])


class WebUiSteering(ServerTestCase):
    """Interrupt cards, questions and taking over, in the real page."""
    server_flags = ("--planner-token-delay", "0")

    @classmethod
    def setUpClass(cls):
        cls.seen = []
        seen = cls.seen

        class Fixture(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/favicon.ico":
                    return self.send_error(404)
                seen.append(self.path)
                # One link filling the top-left of the page: a click there
                # in the live view follows it.
                body = (f"<!doctype html><title>Page {self.path}</title>"
                        '<a href="/next" style="position:absolute;left:0;top:0;'
                        'width:500px;height:400px;display:block">Next page</a>').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Fixture)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        cls.addClassCleanup(httpd.server_close)
        cls.addClassCleanup(httpd.shutdown)
        cls.fixture = f"http://127.0.0.1:{httpd.server_address[1]}"
        super().setUpClass()

    def test_approve_answer_and_take_over_in_the_page(self):
        asyncio.run(asyncio.wait_for(self.steer(), 150))

    async def card(self, ui, kind):
        return await ui.tab.wait_for(
            f"(() => {{ const c = [...document.querySelectorAll('.interrupt.{kind}')]"
            f".filter((c) => !c.classList.contains('resolved')).at(-1);"
            f" return c && c.dataset.interruptId; }})()")

    async def click(self, ui, selector):
        await ui.tab.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    async def steer(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            # Approve: the card says what would happen; the title flags it.
            await ui.tab.evaluate("document.getElementById('approve').value = 'navigate'")
            first = await ui.send(f"go to {self.fixture}/start then read the title")
            card = await self.card(ui, "approval")
            reason = await ui.tab.evaluate(
                f"document.querySelector('[data-interrupt-id=\"{card}\"] .reason').textContent")
            self.assertEqual(reason, f"open {self.fixture}/start")
            self.assertTrue((await ui.tab.evaluate("document.title")).startswith("(1)"))
            await ui.shot("interrupt-approval.png")
            await self.click(ui, f"[data-interrupt-id=\"{card}\"] .decide-approve")
            run = last_run(await ui.finished(first))
            self.assertEqual(run["answer"], "The page title is: Page /start")
            outcome = await ui.tab.evaluate(
                f"document.querySelector('[data-interrupt-id=\"{card}\"] .outcome').textContent")
            self.assertEqual(outcome, "Approved from a page or program")
            self.assertEqual(await ui.tab.evaluate("document.title"), "AgentTheo")
            self.assertEqual(self.seen, ["/start"])

            # A question: typed into the card, answered.
            await ui.tab.evaluate("document.getElementById('approve').value = ''")
            second = await ui.send("ask me which colour")
            card = await self.card(ui, "question")
            await ui.tab.evaluate(
                f"document.querySelector('[data-interrupt-id=\"{card}\"] .answer-box')"
                ".value = 'green'")
            await self.click(ui, f"[data-interrupt-id=\"{card}\"] .decide-answer")
            self.assertEqual(last_run(await ui.finished(second))["answer"],
                             "You answered: green")

            # Take over: the live view takes clicks; one follows the link.
            third = await ui.send(f"go to {self.fixture}/start then let me take over")
            card = await self.card(ui, "takeover")
            await self.click(ui, f"[data-interrupt-id=\"{card}\"] .decide-approve")
            await ui.tab.wait_for("document.querySelector('.viewport.in-control') !== null"
                                  " && !document.getElementById('in-control').hidden"
                                  " && agentTheo.browser.frames > 0")
            await ui.shot("taken-over.png")
            box = await ui.tab.evaluate(
                "(() => { const r = document.getElementById('screenshot')"
                ".getBoundingClientRect(); return [r.left, r.top]; })()")
            for kind in ("mousePressed", "mouseReleased"):
                await ui.tab.call("Input.dispatchMouseEvent", type=kind, x=box[0] + 30,
                                  y=box[1] + 30, button="left", clickCount=1)
            deadline = time.monotonic() + 20
            while "/next" not in self.seen and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            self.assertIn("/next", self.seen)
            await self.click(ui, "#take-over")
            run = last_run(await ui.finished(third))
            self.assertIn(f"{self.fixture}/next", run["answer"])
            self.assertIn("handed it back", run["answer"])
            self.assertEqual(await ui.tab.evaluate(
                "document.getElementById('take-over').textContent"), "Take over")
            self.assertEqual(ui.tab.errors, [])


class WebUiWithASmallLog(unittest.TestCase):
    """A session log too small for the whole run: opening the session later
    shows what is left, with a notice of what was lost."""

    def test_a_trimmed_run_shows_a_gap_notice(self):
        with Server("--planner-token-delay", "0",
                    "--event-log-max-events", "20") as server:
            asyncio.run(asyncio.wait_for(self.gap_notice(server), 90))

    async def gap_notice(self, server):
        async with Chromium() as browser:
            ui = Ui(browser.first, server.base)
            await ui.open("/")
            mid = await ui.send(f"go to {server.base}/demo/ then click Products "
                                f"then read the page")
            first = await ui.finished(mid)
            await ui.tab.reload()
            await ui.tab.wait_for("window.agentTheo !== undefined")
            state = await ui.finished(mid)
            run = last_run(state)
            gaps = [p for p in run["problems"] if p["code"] is None]
            self.assertEqual(len(gaps), 1, run["problems"])
            self.assertIn("no longer held by the server", gaps[0]["text"])
            received = received_for(state, mid)
            self.assertEqual(received[0][1], "gap")
            self.assertEqual(received[-1][1], "complete")
            self.assertEqual(run["answer"], last_run(first)["answer"])
            await ui.shot("gap-notice-wide.png")
            self.assertEqual(ui.tab.errors, [])


class WebUiWithAModel(unittest.TestCase):
    """A configured model (the scripted OpenAI-compatible upstream): the page
    names it, and its failures read as sentences."""

    def test_a_model_error_reads_as_a_sentence(self):
        with ScriptedUpstream() as upstream, Server(
                "--llm-provider", "compatible", "--llm-base-url", upstream.base_url,
                "--llm-model", "test-model", "--llm-api-key", "sk-test") as server:
            upstream.play(status(401, {"error": {"message": "bad key"}}))
            asyncio.run(asyncio.wait_for(self.model_error(server), 90))

    async def model_error(self, server):
        async with Chromium() as browser:
            ui = Ui(browser.first, server.base)
            await ui.open("/")
            await ui.tab.wait_for(
                "document.getElementById('llm').textContent.includes('test-model')")
            mid = await ui.send("hello")
            state = await ui.finished(mid)
            run = last_run(state)
            self.assertEqual(run["state"], "failed")
            self.assertEqual(run["problems"][0]["code"], "llm_auth_failed")
            self.assertTrue(run["problems"][0]["text"].startswith(
                "The model provider refused the API key"), run["problems"])
            await ui.shot("model-error-wide.png")
            self.assertEqual(ui.tab.errors, [])


class WebUiWithAnApiToken(unittest.TestCase):
    """A server with an API_TOKEN: the page opened as /#token=... keeps the
    token in the tab and sends it on every call and stream."""

    def test_the_page_carries_the_token_it_was_opened_with(self):
        with Server("--api-token", "ui-token", "--browser", "none",
                    "--planner-token-delay", "5ms") as server:
            asyncio.run(asyncio.wait_for(self.with_token(server), 90))

    async def with_token(self, server):
        async with Chromium() as browser:
            ui = Ui(browser.first, server.base)
            await ui.tab.set_window(1280, 800)
            await ui.tab.call("Page.navigate", url=f"{server.base}/?from=test#token=ui-token")
            # The token leaves the address at once (it stays in the tab).
            await ui.tab.wait_for("window.agentTheo !== undefined && location.hash === ''")
            mid = await ui.send("hello")
            state = await ui.finished(mid)
            self.assertIn("offline planner", last_run(state)["answer"])
            self.assertEqual(state["transport"], "websocket")
            self.assertEqual(await ui.tab.evaluate(
                "sessionStorage.getItem('agenttheo-api-token')"), "ui-token")
            self.assertEqual(ui.tab.errors, [])


if __name__ == "__main__":
    unittest.main()
