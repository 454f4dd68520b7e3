#!/usr/bin/python3
"""What steering costs, run by hand:

    /usr/bin/python3 tools/bench/approval_gate.py [--runs 15]

The offline planner (no token delay) drives real headless Chromium through
the demo site in one session: `go to /demo/ then click Products then click
About then click Contact then read the page`. Measured in the same run,
alternating, so the ratio is on the same machine:

- the approval gate: each run with `approve=submit` (every click first asks
  the page what it would act on: one probe, no decision needed, since the
  demo's links submit nothing) against the same run with no rule (the
  peer); the difference per click is the probe's cost;
- a decision's latency: with `approve=navigate`, from the POST that
  approves the interrupt to the `tool_start` it releases, read from the
  same stream."""

import argparse
import http.client
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Server, SseStream, stream_path  # noqa: E402

CLICKS = 3


def command(server):
    return (f"go to {server.base}/demo/ then click Products then click About "
            f"then click Contact then read the page")


def run_ms(server, session, **params):
    events = SseStream(server.port, stream_path(command(server), session=session,
                                                **params), timeout=120).read_all()
    assert events[-1].type == "complete", events[-1].data
    assert not [e for e in events if e.type == "interrupt"], "nothing should wait"
    return events[-1].data["duration_ms"]


def decision_ms(server, session):
    """From the approving POST to the tool_start it lets go, in ms."""
    stream = SseStream(server.port, stream_path(
        f"go to {server.base}/demo/about.html", session=session, approve="navigate"),
        timeout=60)
    for event in stream.events():
        if event.type == "interrupt":
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            started = time.perf_counter()
            conn.request("POST", f"/api/sessions/{session}/interrupts/"
                         f"{event.data['interrupt_id']}", body=json.dumps({"decision": "approve"}))
            assert conn.getresponse().status == 200
        elif event.type == "tool_start":
            took = (time.perf_counter() - started) * 1000
            stream.read_all()
            return took
    raise AssertionError("no tool_start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with Server("--planner-token-delay", "0", "--store", "memory") as server:
        warm = SseStream(server.port, stream_path(command(server))).read_all()
        session = warm[0].data["session"]
        plain, gated, decisions = [], [], []
        for _ in range(args.runs):
            plain.append(run_ms(server, session))
            gated.append(run_ms(server, session, approve="submit"))
            decisions.append(decision_ms(server, session))
    p, g = statistics.median(plain), statistics.median(gated)
    print(f"runs: {args.runs} each, alternating, one session, {CLICKS} clicks per run")
    print(f"no rule (peer):   median {p:.0f} ms  (min {min(plain)}, max {max(plain)})")
    print(f"approve=submit:   median {g:.0f} ms  (min {min(gated)}, max {max(gated)})")
    print(f"ratio {g / p:.3f}; per click {(g - p) / CLICKS:+.1f} ms (the page probe)")
    decisions.sort()
    print(f"decision to tool_start: median {statistics.median(decisions):.2f} ms, "
          f"p90 {decisions[int(0.9 * (len(decisions) - 1))]:.2f} ms")


if __name__ == "__main__":
    main()
