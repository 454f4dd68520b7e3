#!/usr/bin/python3
"""What loop detection costs a tool call, run by hand:

    /usr/bin/python3 tools/bench/page_digest.py [--rounds 300]

After every page tool the page actor evaluates browser/scripts/page_digest.js
(a hash of the page's text, its length, the scroll position). This times
that evaluate in real headless Chromium against its peer, the cheapest
evaluate there is (`document.title`), in the same tab, interleaved, on three
pages of tests/browser/pages: a short one, a 300-row table, and the table
ten times over (~110 KB of text). Prints medians and the ratio."""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
from cdp import Chromium  # noqa: E402
from test_agent_browser import start_page_server  # noqa: E402

DIGEST = "(" + open(os.path.join(ROOT, "browser", "scripts", "page_digest.js")).read() + ")(null)"


async def timed(tab, expression, rounds):
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        await tab.evaluate(expression)
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


async def main(rounds):
    pages, port = start_page_server()
    try:
        async with Chromium() as browser:
            tab = browser.first
            for name, path, grow in (("short page", "about.html", 1),
                                     ("300-row table", "long_table.html", 1),
                                     ("table x10", "long_table.html", 10)):
                await tab.navigate(f"http://127.0.0.1:{port}/{path}")
                await tab.wait_for("document.readyState === 'complete'")
                if grow > 1:
                    await tab.evaluate(
                        f"document.body.innerHTML = document.body.innerHTML.repeat({grow})")
                size = await tab.evaluate("document.body.innerText.length")
                peer = digest = 0
                for _ in range(3):  # interleaved, so both see the same machine
                    peer += await timed(tab, "document.title", rounds // 3) / 3
                    digest += await timed(tab, DIGEST, rounds // 3) / 3
                print(json.dumps({"page": name, "text_chars": size,
                                  "title_ms": round(peer, 3),
                                  "digest_ms": round(digest, 3),
                                  "ratio": round(digest / peer, 2)}))
    finally:
        pages.kill()
        pages.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    asyncio.run(main(parser.parse_args().rounds))
