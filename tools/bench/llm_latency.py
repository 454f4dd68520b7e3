#!/usr/bin/python3
"""Added latency of the LLM path, run by hand:

    /usr/bin/python3 tools/bench/llm_latency.py [--tokens 30] [--rate 10]

A scripted OpenAI-compatible upstream (tests/llm/scripted_upstream.py, in its
own process) streams tokens stamped with CLOCK_MONOTONIC at write time. For
1, 100 and 1,000 concurrent runs, clients read them twice in the same run:
  direct  - straight from the upstream (the harness's own latency: loopback,
            the Python upstream and client),
  via     - through AgentTheo: curl thread -> openai_call -> session ->
            sse_connection -> socket,
and the difference of the medians is what AgentTheo adds."""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
from stream_bench import ServerProcess  # noqa: E402


WARMUP = 0


def steady(samples):
    """A run's latencies without its first WARMUP tokens (the start-up burst,
    when every run connects at once)."""
    return samples[WARMUP:]


def latencies_from(text_pieces, now_ns):
    found = []
    for piece in text_pieces:
        for stamp in piece.split(";"):
            if stamp.startswith("t"):
                found.append((now_ns - int(stamp[1:])) / 1e6)
    return found


async def via_agenttheo(session, port, i, tag):
    out = []
    url = f"http://127.0.0.1:{port}/stream?command=go&messageId=lat-{tag}-{i}"
    async with session.get(url) as resp:
        async for line in resp.content:
            if line.startswith(b"data: {\"token\""):
                now = time.monotonic_ns()
                out += latencies_from([json.loads(line[6:])["token"]], now)
    return steady(out)


async def direct(session, upstream_port, i, tag):
    out = []
    url = f"http://127.0.0.1:{upstream_port}/v1/chat/completions"
    body = {"model": "m", "stream": True, "messages": []}
    async with session.post(url, json=body) as resp:
        async for line in resp.content:
            if line.startswith(b"data: {"):
                now = time.monotonic_ns()
                chunk = json.loads(line[6:])
                for choice in chunk.get("choices", []):
                    content = choice.get("delta", {}).get("content")
                    if content:
                        out += latencies_from([content], now)
    return steady(out)


async def measure(fn, port, concurrency, tag):
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as s:
        results = await asyncio.gather(*(fn(s, port, i, tag)
                                         for i in range(concurrency)))
    return [x for r in results for x in r]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=30)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--levels", default="1,100,1000")
    parser.add_argument("--warmup", type=int, default=0,
                        help="tokens per run to leave out (start-up burst)")
    args = parser.parse_args()
    global WARMUP
    WARMUP = args.warmup
    upstream = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(ROOT, "tests", "llm", "scripted_upstream.py"),
         str(args.tokens), str(args.rate)], stdout=subprocess.PIPE, text=True)
    upstream_port = int(upstream.stdout.readline())
    server = ServerProcess("--llm-provider", "compatible",
                           "--llm-base-url", f"http://127.0.0.1:{upstream_port}/v1",
                           "--llm-model", "m", "--max-sessions", "100000")
    try:
        print(f"{args.tokens} tokens per run at {args.rate:g}/s; latency in ms "
              f"from upstream write to client read")
        print(f"{'runs':>6} {'direct p50':>11} {'p99':>7} {'via p50':>9} "
              f"{'p99':>7} {'added p50':>10} {'added p99':>10}")
        for level in [int(x) for x in args.levels.split(",")]:
            base = asyncio.run(measure(direct, upstream_port, level, "d"))
            via = asyncio.run(measure(via_agenttheo, server.port, level, f"v{level}"))
            expected = level * (args.tokens - args.warmup)
            if len(via) < expected * 0.99:
                print(f"warning: got {len(via)} of {expected} tokens")
            print(f"{level:>6} {statistics.median(base):>11.2f} {pct(base, .99):>7.2f} "
                  f"{statistics.median(via):>9.2f} {pct(via, .99):>7.2f} "
                  f"{statistics.median(via) - statistics.median(base):>10.2f} "
                  f"{pct(via, .99) - pct(base, .99):>10.2f}")
    finally:
        server.stop()
        upstream.kill()


if __name__ == "__main__":
    main()
