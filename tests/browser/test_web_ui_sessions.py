"""The web UI's sessions over time, in real headless Chromium against the
real binary (and a second Chromium as the agent's browser): a session
reopened renders every run exactly as it did live (one rendering path for
live and replayed events)."""

import json
import os
import sys

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
            running = await ui.send(self.demo("list the links"))
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

if __name__ == "__main__":
    import unittest
    unittest.main()
