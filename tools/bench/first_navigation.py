#!/usr/bin/python3
"""A new session's first browser step, run by hand:

    /usr/bin/python3 tools/bench/first_navigation.py [--runs 10] [--rounds 3]
                                                     [--pools 0,2]

For each BROWSER_POOL in `--pools`, a server with the offline planner and
real headless Chromium; after a warm-up run (Chromium's launch), `--runs`
new sessions `--gap` seconds apart, each running `go to {demo}`: the first
`navigate_to`'s own `duration_ms` (from the call to its result: the
context, the page, the navigation and the screenshot after it). The peer,
in the same rounds: Playwright (npm's playwright-core, installed into
tools/bench/peers/playwright on first use) driving the same Chromium
binary: newContext + newPage + goto of the same page, as far apart. With
`--gap 0` the sessions come faster than the pool refills (one spare a
second, after a quiet second), and the pool's gain shrinks. Rounds alternate
the systems; prints the medians and p90s, and the ratios."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYWRIGHT = os.path.join(ROOT, "tools", "bench", "peers", "playwright")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Server  # noqa: E402


def first_navigation_ms(server, n):
    """One new session's run of `go to {demo}`: its navigate_to's duration."""
    message_id = f"nav-{time.monotonic_ns()}-{n}"
    status, created = server.call("POST", "/api/sessions")
    assert status == 201, created
    status, body = server.call("POST", f"/api/sessions/{created['id']}/runs",
                               {"command": f"go to {server.base}/demo/",
                                "messageId": message_id})
    assert status == 202, body
    while True:
        status, done = server.call("GET", f"/api/runs/{message_id}/events")
        if done["state"] == "finished":
            break
        time.sleep(0.05)
    ends = [e["data"] for e in done["events"] if e["type"] == "tool_end"]
    assert ends and ends[0]["tool_name"] == "navigate_to" and ends[0]["ok"], ends
    server.call("DELETE", f"/api/sessions/{created['id']}")
    return ends[0]["duration_ms"]


def agenttheo(server, runs, gap):
    ms = []
    for n in range(runs):
        time.sleep(gap)
        ms.append(first_navigation_ms(server, n))
    return ms


def ensure_playwright():
    if not os.path.isdir(os.path.join(PLAYWRIGHT, "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=PLAYWRIGHT, check=True)


def playwright(url, runs, gap):
    done = subprocess.run(["node", "first_navigation.mjs", url, str(runs), str(gap)],
                          cwd=PLAYWRIGHT, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["ms"]


def summary(name, ms):
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"{name:26}{statistics.median(ms):>9.0f}{p90:>9.0f}{len(ms):>6}")
    return statistics.median(ms)


def measure(pools, runs, rounds, gap):
    """{system: [ms, ...]} for each BROWSER_POOL in `pools` and Playwright."""
    ensure_playwright()
    servers = {}
    results = {f"AgentTheo BROWSER_POOL={p}": [] for p in pools}
    results["Playwright"] = []
    try:
        for pool in pools:
            server = Server("--planner-token-delay", "0", "--browser-pool", str(pool),
                            "--max-browser-contexts", "16")
            servers[pool] = server.__enter__()
            first_navigation_ms(servers[pool], -1)  # Chromium's launch
        for _ in range(rounds):
            for pool in pools:
                results[f"AgentTheo BROWSER_POOL={pool}"] += agenttheo(
                    servers[pool], runs, gap)
            any_server = servers[pools[0]]
            results["Playwright"] += playwright(f"{any_server.base}/demo/", runs, gap)
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pools", default="0,2")
    parser.add_argument("--gap", type=float, default=1.5,
                        help="seconds between new sessions (both systems)")
    args = parser.parse_args()
    results = measure([int(p) for p in args.pools.split(",")], args.runs,
                      args.rounds, args.gap)
    print(f"\n{'first navigation, ms':26}{'p50':>9}{'p90':>9}{'n':>6}")
    medians = {name: summary(name, ms) for name, ms in results.items()}
    peer = medians["Playwright"]
    base = medians.get("AgentTheo BROWSER_POOL=0")
    for name, median in medians.items():
        if name.startswith("AgentTheo"):
            ratio = f", {median / base:.2f}x BROWSER_POOL=0" if base else ""
            print(f"{name}: {median / peer:.2f}x Playwright{ratio}")


if __name__ == "__main__":
    main()
