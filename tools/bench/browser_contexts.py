#!/usr/bin/python3
"""Cost of a session's browser context, run by hand:

    /usr/bin/python3 tools/bench/browser_contexts.py [--contexts 10]

Starts headless Chromium with the server's flags, then creates browser
contexts one by one (context + about:blank page + attach: what the browser
actor's open_page does). Reports the median time to create one and the
proportional memory (PSS) each adds over Chromium's process group."""

import argparse
import asyncio
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
from cdp import Chromium  # noqa: E402




def group_pss_kib(pgid):
    """Proportional set size of the group: shared pages (the same libraries in
    every renderer) counted once in total, not once per process."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


async def main(count):
    async with Chromium(endpoint="browser") as browser:
        pgid = os.getpgid(browser.proc.pid)
        await asyncio.sleep(1.0)
        base = group_pss_kib(pgid)
        times = []
        for _ in range(count):
            started = time.monotonic()
            ctx = (await browser.call("Target.createBrowserContext",
                                      disposeOnDetach=True))["browserContextId"]
            target = (await browser.call("Target.createTarget", url="about:blank",
                                         browserContextId=ctx))["targetId"]
            await browser.call("Target.attachToTarget", targetId=target,
                               flatten=True)
            times.append((time.monotonic() - started) * 1000)
        await asyncio.sleep(1.0)
        after = group_pss_kib(pgid)
        print(f"{count} contexts; Chromium process group PSS {base / 1024:.0f} MiB "
              f"-> {after / 1024:.0f} MiB")
        print(f"time to create a context + page + attach: median "
              f"{statistics.median(times):.1f} ms (first {times[0]:.1f} ms)")
        print(f"memory per context (about:blank page): "
              f"{(after - base) / count / 1024:.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--contexts", type=int, default=10)
    asyncio.run(main(parser.parse_args().contexts))
