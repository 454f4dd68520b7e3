#!/usr/bin/python3
"""What an agent step costs, run by hand:

    /usr/bin/python3 tools/bench/agent_steps.py [--runs 10] [--sessions 20]

The offline planner (no token delay) drives real headless Chromium through
the demo site: `go to /demo/ then click Products then read the page`, three
browser steps and four model turns, in one session (its page reused, as in
a conversation). Measures, in the same run, each run's duration with SCREENSHOT_AFTER_ACTIONS on and off (the peer), so the cost of
the live screenshots is a ratio on the same machine; then the wall time of
`--sessions` concurrent sessions, each browsing its own page."""

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Server, SseStream, stream_path  # noqa: E402


def run_once(server, command, **params):
    started = time.monotonic()
    events = SseStream(server.port, stream_path(command, **params),
                       timeout=120).read_all()
    wall = time.monotonic() - started
    assert events[-1].type == "complete", events[-1].data
    shots = sum(1 for e in events if e.type == "screenshot")
    shot_bytes = sum(len(e.data["image"]) for e in events if e.type == "screenshot")
    return wall * 1000, events[-1].data["duration_ms"], shots, shot_bytes


def sequential(runs, screenshots):
    with Server("--planner-token-delay", "0", "--screenshot-after-actions",
                screenshots) as server:
        command = (f"go to {server.base}/demo/ then click Products "
                   f"then read the page")
        # Warm-up: Chromium's launch and the session's context; the runs
        # measured then reuse that session's page, as a conversation does.
        events = SseStream(server.port, stream_path(command)).read_all()
        session = events[0].data["session"]
        results = [run_once(server, command, session=session) for _ in range(runs)]
    return results


def concurrent(sessions):
    with Server("--planner-token-delay", "0", "--max-browser-contexts",
                str(sessions + 1)) as server:  # + the warm-up session
        demo = f"{server.base}/demo/thanks.html"
        run_once(server, f"go to {demo}?name=warm-up")
        started = time.monotonic()
        with ThreadPoolExecutor(sessions) as pool:
            walls = list(pool.map(
                lambda n: run_once(server, f"go to {demo}?name=s{n} then read the page")[0],
                range(sessions)))
        return (time.monotonic() - started) * 1000, walls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    on = sequential(args.runs, "true")
    off = sequential(args.runs, "false")
    med_on = statistics.median(r[1] for r in on)
    med_off = statistics.median(r[1] for r in off)
    print(f"demo run (3 browser steps, 4 turns), median of {args.runs}:")
    print(f"  screenshots after actions: {med_on:.0f} ms "
          f"({on[0][2]} screenshots, {statistics.median(r[3] for r in on) / 1024:.0f} KiB base64)")
    print(f"  without (peer):            {med_off:.0f} ms")
    print(f"  ratio: {med_on / med_off:.2f}x, "
          f"{(med_on - med_off) / max(on[0][2], 1):.0f} ms per screenshot")
    total, walls = concurrent(args.sessions)
    print(f"{args.sessions} concurrent sessions (navigate + read each): "
          f"all done in {total:.0f} ms; per run median {statistics.median(walls):.0f} ms, "
          f"max {max(walls):.0f} ms")


if __name__ == "__main__":
    main()
