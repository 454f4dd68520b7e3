"""The guide's own client examples, run as written against the real server:
the Python client on aiohttp, and the JavaScript client in real headless
Chromium. Only `localhost:8000` is pointed at the test server."""

import asyncio
import ast
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "browser"))

from cdp import Chromium  # noqa: E402
from harness import Server, SseStream, stream_path  # noqa: E402

PYTHON = "/usr/bin/python3"


def read(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read()


class GuidePythonClient(unittest.TestCase):
    def test_runs_as_written(self):
        with Server("--planner-token-delay", "1ms") as server:
            source = read("guide_python_client.py")
            self.assertIn('url = f"http://localhost:8000/stream?command='
                          '{command}&messageId=test"', source)
            pointed = source.replace("localhost:8000", f"localhost:{server.port}")
            with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
                script.write(pointed)
                script.flush()
                result = subprocess.run([PYTHON, script.name, "what can you do"],
                                        capture_output=True, text=True,
                                        timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            printed = [ast.literal_eval(line[len("Event: "):])
                       for line in result.stdout.splitlines()]
            self.assertEqual(printed[0]["command"], "what can you do")
            self.assertEqual(printed[0]["messageId"], "test")
            tokens = [e["token"] for e in printed if "token" in e]
            self.assertGreater(len(tokens), 10)
            self.assertEqual("".join(tokens), printed[-1]["result"])
            self.assertEqual(printed[-1]["summary"]["messageId"], "test")


GUIDE_PAGE_SCRIPT = """
(() => {
  window.__tokens = [];
  window.__progress = [];
  window.__errors = 0;
  const console = {
    log: (label, value) => { if (label === 'Token:') window.__tokens.push(value); },
    error: () => { window.__errors += 1; },
  };
  function updateProgressBar(step, total) { window.__progress.push([step, total]); }
  const command = COMMAND;
  const messageId = MESSAGE_ID;
  SNIPPET
  window.__source = eventSource;
})();
"""

# A plain EventSource that never closes itself: it must stop on the server's
# 204 after the run, without receiving any event twice.
PLAIN_EVENTSOURCE = """
(() => {
  window.__plain = {ids: [], types: [], state: null};
  const es = new EventSource('/stream?command=hello&messageId=' + MESSAGE_ID);
  for (const type of ['start', 'token', 'message', 'progress', 'update',
                      'status', 'complete']) {
    es.addEventListener(type, (e) => {
      window.__plain.ids.push(Number(e.lastEventId));
      window.__plain.types.push(type);
    });
  }
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) window.__plain.state = 'closed';
  });
})();
"""


class GuideJavaScriptClient(unittest.TestCase):
    def test_runs_as_written_in_chromium(self):
        asyncio.run(self.run_in_browser())

    async def run_in_browser(self):
        with Server("--planner-token-delay", "2ms") as server:
            async with Chromium() as browser:
                await browser.navigate(server.base + "/")
                script = (GUIDE_PAGE_SCRIPT
                          .replace("SNIPPET", read("guide_js_client.js"))
                          .replace("COMMAND", json.dumps("go somewhere nice"))
                          .replace("MESSAGE_ID", json.dumps("js-guide-1")))
                await browser.evaluate(script)
                await browser.wait_for("window.__source.readyState === 2")
                tokens = await browser.evaluate("window.__tokens")
                progress = await browser.evaluate("window.__progress")
                replay = SseStream(server.port,
                                   stream_path(messageId="js-guide-1")).read_all()
                result = replay[-1].data["result"]
                self.assertEqual(replay[-1].type, "complete")
                self.assertEqual("".join(tokens), result)
                # One step of at most MAX_STEPS (10 by default): a
                # conversational reply needs no tool.
                self.assertEqual(progress, [[1, 1]])  # one turn, and the planner knows it

                await browser.evaluate(
                    PLAIN_EVENTSOURCE.replace("MESSAGE_ID", json.dumps("js-plain-1")))
                await browser.wait_for("window.__plain.state === 'closed'", 30)
                plain = await browser.evaluate("window.__plain")
                self.assertEqual(plain["types"][0], "start")
                self.assertEqual(plain["types"][-1], "complete")
                self.assertEqual(len(plain["ids"]), len(set(plain["ids"])))
                self.assertEqual(plain["ids"], list(range(
                    plain["ids"][0], plain["ids"][0] + len(plain["ids"]))))


if __name__ == "__main__":
    unittest.main()
