"""The web UI's sessions over time, in real headless Chromium against the
real binary (and a second Chromium as the agent's browser): a session
reopened renders every run exactly as it did live (one rendering path for
live and replayed events); the sidebar titles sessions by their first
command, renames, deletes and clears idle ones, and searches; at phone size
(390×844) the conversation is what scrolls, new output comes into view (or
a "new output" pill when the user scrolled up) and the live view folds.
Screenshots land in build/ui-screenshots/."""

import asyncio
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import ServerTestCase  # noqa: E402
from cdp import Chromium  # noqa: E402
from test_web_ui import Ui  # noqa: E402

# Each run's card as a person reads it, and its state badge.
CARDS = """[...document.querySelectorAll('#conversation article.turn')].map((a) => ({
  messageId: a.dataset.messageId, text: a.innerText,
  state: a.querySelector('.status').textContent,
  tools: a.querySelectorAll('.tool').length }))"""

SIDEBAR = """[...document.querySelectorAll('#session-list li')].map((li) => ({
  id: li.dataset.id, title: li.querySelector('.title')?.textContent,
  state: li.querySelector('.state').textContent }))"""


def rect(selector):
    return f"document.querySelector({json.dumps(selector)}).getBoundingClientRect()"


class WebUiSessions(ServerTestCase):
    # Tokens at 25 ms: runs last long enough to act in their middle.
    server_flags = ("--planner-token-delay", "25ms")

    def run_async(self, coro, timeout=150):
        return super().run_async(coro, timeout)

    def demo(self, then="read the page"):
        return f"go to {self.server.base}/demo/ then click Products then {then}"

    # -- history ---------------------------------------------------------------

    def test_a_reopened_session_renders_as_it_did_live(self):
        self.run_async(self.reopened_renders_the_same())

    async def reopened_renders_the_same(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            for command in (self.demo(), "go to http://127.0.0.1:1/",
                            "read the title"):
                await ui.finished(await ui.send(command))
            live = await ui.tab.evaluate(CARDS)
            self.assertEqual([c["state"] for c in live], ["done", "failed", "done"])
            self.assertEqual([c["tools"] for c in live], [3, 1, 1])
            sid = (await ui.state())["session"]

            # Reloaded, and opened afresh in another tab: the same text.
            await ui.tab.reload()
            await ui.tab.wait_for("window.agentTheo !== undefined")
            await ui.tab.wait_for("agentTheo.runs.size === 3 && [...agentTheo.runs.values()]"
                                  ".every((v) => v.finished)", 30)
            self.assertEqual(await ui.tab.evaluate(CARDS), live)
            other = Ui(await browser.new_tab(), self.server.base)
            await other.open(f"/?session={sid}")
            await other.tab.wait_for("agentTheo.runs.size === 3 && [...agentTheo.runs.values()]"
                                     ".every((v) => v.finished)", 30)
            self.assertEqual(await other.tab.evaluate(CARDS), live)
            self.assertIn("Done · 4 steps", live[0]["text"])
            self.assertIn("Could not finish", live[1]["text"])

            # A queued run's card stays empty until it starts, also after a
            # reload while the one before it runs.
            # Still running after the reload (see sidebar()).
            running = await ui.send(self.demo("wait for text this page never shows"))
            queued = await ui.send("what is the title")
            await ui.tab.reload()
            await ui.tab.wait_for("window.agentTheo !== undefined")
            await ui.tab.wait_for(
                f"agentTheo.runs.get({json.dumps(running)})?.tools.size > 0"
                f" && agentTheo.runs.get({json.dumps(queued)})?.state === 'queued'", 30)
            cards = {c["messageId"]: c for c in await ui.tab.evaluate(CARDS)}
            self.assertEqual(cards[queued]["tools"], 0)
            await ui.finished(queued)
            cards = {c["messageId"]: c for c in await ui.tab.evaluate(CARDS)}
            self.assertEqual((cards[running]["tools"], cards[queued]["tools"]), (3, 1))
            self.assertEqual(ui.tab.errors + other.tab.errors, [])

    # -- the sidebar -------------------------------------------------------------

    def test_the_sidebar_titles_renames_deletes_and_searches(self):
        self.run_async(self.sidebar())

    def api_session(self, command):
        _, made = self.server.call("POST", "/api/sessions")
        sid = made["id"]
        self.server.call("POST", f"/api/sessions/{sid}/runs",
                         {"command": command, "messageId": f"{sid}-1"})
        return sid

    def wait_idle(self, sid):
        deadline = time.monotonic() + 30
        while self.server.call("GET", f"/api/sessions/{sid}")[1]["state"] != "idle":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    async def sidebar(self):
        for s in self.server.call("GET", "/api/sessions")[1]["sessions"]:
            self.server.call("DELETE", f"/api/sessions/{s['id']}")
        older = self.api_session("hello from the older session")
        self.wait_idle(older)
        # Still running when the UI lists it: the demo run alone takes
        # ~1-3 s, the UI's Chromium ~4.7 s to start and list it; a wait of
        # 5 s on text the page never shows outlasts that.
        newer = self.api_session(self.demo("wait for text this page never shows"))
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/")
            await ui.tab.wait_for(f"{SIDEBAR}.length === 2")
            listed = await ui.tab.evaluate(SIDEBAR)
            # Newest activity first, by title; the running one marked.
            self.assertEqual([s["id"] for s in listed], [newer, older])
            self.assertTrue(listed[0]["title"].startswith("go to http://127.0.0.1:")
                            and listed[0]["title"].endswith("…"), listed[0])
            self.assertEqual(listed[0]["state"], "running")
            self.assertEqual(listed[1]["title"], "hello from the older session")
            await ui.shot("sidebar-wide.png")

            # Rename: ✎, type, Enter.
            item = f"document.querySelector('li[data-id=\"{older}\"]')"
            await ui.tab.evaluate(f"{item}.querySelector('.rename').click()")
            await ui.tab.evaluate("(() => { const i = document.querySelector('.rename-input');"
                                  " i.value = 'Greeting test'; i.dispatchEvent(new KeyboardEvent("
                                  "'keydown', {key: 'Enter'})); })()")
            await ui.tab.wait_for(f"{item}?.querySelector('.title')?.textContent"
                                  " === 'Greeting test'", 10)
            self.assertEqual(self.server.call("GET", f"/api/sessions/{older}")[1]["title"],
                             "Greeting test")

            # Delete asks twice.
            remove = f"{item}.querySelector('.delete')"
            await ui.tab.evaluate(f"{remove}.click()")
            self.assertEqual(await ui.tab.evaluate(f"{remove}.textContent"), "Delete?")
            self.assertEqual(self.server.call("GET", f"/api/sessions/{older}")[0], 200)
            await ui.tab.evaluate(f"{remove}.click()")
            await ui.tab.wait_for(f"!{item}", 10)
            self.assertEqual(self.server.call("GET", f"/api/sessions/{older}")[0], 404)

            # Many sessions: a search box; "Clear idle" ends the idle ones
            # but the one open.
            self.wait_idle(newer)
            made = [self.api_session(f"numbered command {n}") for n in range(8)]
            for sid in made:
                self.wait_idle(sid)
            await ui.tab.evaluate("agentTheo.sessions.refresh()")
            await ui.tab.wait_for(f"{SIDEBAR}.length === 9")
            self.assertFalse(await ui.tab.evaluate(
                "document.getElementById('session-search').hidden"))
            await ui.tab.evaluate("(() => { const s = document.getElementById('session-search');"
                                  " s.value = 'command 7'; s.dispatchEvent(new Event('input')); })()")
            self.assertEqual([s["id"] for s in await ui.tab.evaluate(SIDEBAR)], [made[7]])
            await ui.tab.evaluate("(() => { const s = document.getElementById('session-search');"
                                  " s.value = ''; s.dispatchEvent(new Event('input')); })()")
            await ui.shot("sidebar-search-wide.png")
            await ui.open(f"/?session={made[0]}")
            await ui.tab.wait_for("!document.getElementById('clear-idle').hidden", 10)
            clear = "document.getElementById('clear-idle')"
            await ui.tab.evaluate(f"{clear}.click()")
            self.assertEqual(await ui.tab.evaluate(f"{clear}.textContent"), "Clear 8?")
            await ui.tab.evaluate(f"{clear}.click()")
            await ui.tab.wait_for(f"{SIDEBAR}.length === 1", 15)
            self.assertEqual((await ui.tab.evaluate(SIDEBAR))[0]["id"], made[0])
            _, left = self.server.call("GET", "/api/sessions")
            self.assertEqual([s["id"] for s in left["sessions"]], [made[0]])
            self.assertEqual(ui.tab.errors, [])

    # -- a phone -----------------------------------------------------------------

    def test_on_a_phone_the_conversation_scrolls_and_new_output_shows(self):
        self.run_async(self.phone())

    async def phone(self):
        async with Chromium() as browser:
            ui = Ui(browser.first, self.server.base)
            await ui.open("/", 390, 844)
            first = await ui.send(self.demo())
            await ui.finished(first)
            second = await ui.send(self.demo("list the links"))
            await ui.finished(second)
            await asyncio.sleep(0.3)  # the last scroll lands
            layout = await ui.tab.evaluate(f"""(() => {{
              const c = document.getElementById('conversation');
              const answer = [...document.querySelectorAll('.answer')].at(-1);
              return {{ pageScrolls: document.scrollingElement.scrollHeight > innerHeight,
                       conversationScrolls: c.scrollHeight > c.clientHeight,
                       atBottom: c.scrollHeight - c.scrollTop - c.clientHeight < 4,
                       answerBottom: answer.getBoundingClientRect().bottom,
                       composerTop: {rect('.composer')}.top,
                       viewBottom: {rect('#browser')}.bottom,
                       conversationTop: c.getBoundingClientRect().top,
                       drawerShadow: getComputedStyle(document.getElementById('sessions')).boxShadow }};
            }})()""")
            await ui.shot("phone-answer.png")
            self.assertFalse(layout["pageScrolls"], layout)
            self.assertTrue(layout["conversationScrolls"], layout)
            self.assertTrue(layout["atBottom"], layout)
            # The answer ends above the input, below the live view.
            self.assertLessEqual(layout["answerBottom"], layout["composerTop"])
            self.assertLessEqual(layout["viewBottom"], layout["conversationTop"] + 1)
            self.assertEqual(layout["drawerShadow"], "none")

            # Scrolled up, a new run still comes into view when sent...
            await ui.tab.evaluate("document.getElementById('conversation').scrollTop = 0")
            third = await ui.send(self.demo("read the title"))
            await ui.tab.wait_for(
                f"(() => {{ const b = document.querySelector('article[data-message-id="
                f"\"{third}\"] .bubble').getBoundingClientRect();"
                f" const c = document.getElementById('conversation').getBoundingClientRect();"
                f" return b.top >= c.top && b.bottom <= c.bottom; }})()", 10)
            # ...and scrolled up while it streams, a pill says there is more.
            await ui.tab.wait_for(f"agentTheo.received.some((e) => e.type === 'tool_start'"
                                  f" && e.messageId === {json.dumps(third)})")
            await ui.tab.evaluate("document.getElementById('conversation').scrollTop = 0")
            await ui.tab.wait_for("!document.getElementById('new-output').hidden", 20)
            await ui.shot("phone-new-output.png")
            await ui.tab.evaluate("document.getElementById('new-output').click()")
            await ui.tab.wait_for(
                "(() => { const c = document.getElementById('conversation');"
                " return c.scrollHeight - c.scrollTop - c.clientHeight < 80"
                " && document.getElementById('new-output').hidden; })()", 10)
            await ui.finished(third)

            # The live view folds to its URL bar, giving the conversation room.
            before = await ui.tab.evaluate(f"{rect('#conversation')}.height")
            await ui.tab.evaluate("document.getElementById('toggle-view').click()")
            after = await ui.tab.evaluate(f"{rect('#conversation')}.height")
            self.assertGreater(after, before + 100)
            self.assertTrue(await ui.tab.evaluate(
                f"{rect('#page-url')}.height > 0"))
            await ui.shot("phone-folded.png")
            await ui.tab.set_window(1440, 900)
            await asyncio.sleep(0.3)
            await ui.tab.evaluate("document.getElementById('toggle-view').click()")
            await ui.shot("desktop-1440.png")
            self.assertEqual(ui.tab.errors, [])


if __name__ == "__main__":
    import unittest
    unittest.main()
