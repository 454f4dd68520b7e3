#!/usr/bin/python3
"""What a rerun saves, run by hand:

    /usr/bin/python3 tools/bench/rerun_cost.py [--runs 5]

The demo command (`go to /demo/ then click Products then scroll down then
click About`) driven by a model at a realistic pace: the scripted
OpenAI-compatible upstream answers each turn's first token after 500 ms and
streams 50 tokens/s (its words, then each tool call's arguments in 7-byte
pieces, one token each). Each recorded run is followed by its rerun
(`POST /api/runs/{id}/rerun`), alternating, in the same server with real
headless Chromium; prints each pair and the medians of the runs' own
`duration_ms`, their wall time from the request to the end, and their model
calls."""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "llm"))
from harness import Server  # noqa: E402
from scripted_upstream import (ScriptedUpstream, chunk, event, open_stream,  # noqa: E402
                               server_flags, usage_chunk)

FIRST_TOKEN_S = 0.5
TOKENS_PER_S = 50.0


def paced(words, call=None):
    """A turn at the model's pace: `words` then, if any, one tool call."""
    async def play(request, upstream):
        resp = await open_stream(request)
        await asyncio.sleep(FIRST_TOKEN_S)
        await resp.write(event(chunk(role="assistant", content="")))
        sent = 0
        for word in words.split(" "):
            await resp.write(event(chunk(content=word + " ")))
            sent += 1
            await asyncio.sleep(1 / TOKENS_PER_S)
        if call:
            name, args = call
            await resp.write(event(chunk(tool_calls=[{
                "index": 0, "id": f"call_{len(upstream.requests)}", "type": "function",
                "function": {"name": name, "arguments": ""}}])))
            text = json.dumps(args)
            for at in range(0, len(text), 7):
                await resp.write(event(chunk(tool_calls=[{
                    "index": 0, "function": {"arguments": text[at:at + 7]}}])))
                sent += 1
                await asyncio.sleep(1 / TOKENS_PER_S)
        await resp.write(event(chunk(finish="tool_calls" if call else "stop")))
        await resp.write(event(usage_chunk(200, sent)))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp
    return play


def demo_turns(demo):
    return [paced("I'll open the demo shop.", ("navigate_to", {"url": demo})),
            paced("I'll click Products.", ("click", {"target": "Products"})),
            paced("I'll scroll down.", ("scroll", {"direction": "down"})),
            paced("I'll click About.", ("click", {"target": "About"})),
            paced("Done: I opened the shop, looked at its products and "
                  "ended on its About page.")]


def wait_finished(server, message_id, started):
    while True:
        status, body = server.call("GET", f"/api/runs/{message_id}/events")
        if status == 200 and body["state"] == "finished":
            return (time.monotonic() - started) * 1000, body["events"][-1]["data"]
        time.sleep(0.01)


def one_pair(server, upstream, n):
    demo = f"{server.base}/demo/"
    upstream.play(*demo_turns(demo))
    _, session = server.call("POST", "/api/sessions")
    started = time.monotonic()
    status, _ = server.call("POST", f"/api/sessions/{session['id']}/runs", {
        "command": f"go to {demo} then click Products then scroll down then click About",
        "messageId": f"model-{n}"})
    assert status == 202
    model_wall, model = wait_finished(server, f"model-{n}", started)
    calls_before = len(upstream.requests)
    started = time.monotonic()
    status, _ = server.call("POST", f"/api/runs/model-{n}/rerun", {"messageId": f"rerun-{n}"})
    assert status == 202
    rerun_wall, rerun = wait_finished(server, f"rerun-{n}", started)
    assert rerun["result"] == model["result"], (rerun, model)
    assert len(upstream.requests) == calls_before
    return (model["duration_ms"], model_wall, model["usage"]["model_calls"],
            rerun["duration_ms"], rerun_wall, rerun["usage"]["model_calls"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with ScriptedUpstream() as upstream, \
            Server(*server_flags(upstream), "--max-browser-contexts", "64") as server:
        one_pair(server, upstream, 0)  # warm-up: Chromium's launch
        rows = []
        for n in range(1, args.runs + 1):
            row = one_pair(server, upstream, n)
            rows.append(row)
            print(f"pair {n}: model {row[0]} ms ({row[2]} calls), "
                  f"rerun {row[3]} ms ({row[5]} calls)", flush=True)
    med = [statistics.median(r[i] for r in rows) for i in range(6)]
    print(f"\n{'':14}{'duration_ms':>12}{'wall ms':>10}{'model calls':>13}")
    print(f"{'model':14}{med[0]:>12.0f}{med[1]:>10.0f}{med[2]:>13.0f}")
    print(f"{'rerun':14}{med[3]:>12.0f}{med[4]:>10.0f}{med[5]:>13.0f}")
    print(f"rerun/model: {med[3] / med[0]:.2f}x duration, {med[4] / med[1]:.2f}x wall "
          f"(medians of {args.runs} alternating pairs)")


if __name__ == "__main__":
    main()
