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
and the difference of the medians is what AgentTheo adds. The same for the
time to the first token: from sending the request to reading the first
token (direct: the upstream's own first-token time; via: the run request
through the session, the call and curl to the upstream and back), whose
difference is the time to first token the server adds. `--spread S`
starts each level's runs over S seconds instead of at one instant, so a
run's first token is measured while the others stream rather than in the
burst of all of them starting. `--repeat N` runs each level N times,
alternating direct and via, and pools the samples (a run has one first
token). The last two columns are the server's own reading of the same
thing, its `agenttheo_first_token_added_seconds` histogram over the
level's runs: run request to first token handed to the subscribers, less
the upstream's time as curl's thread saw it, with none of the client's
or the upstream's noise."""

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
import server_metrics  # noqa: E402
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


class Reading:
    """One stream's token latencies and its time to the first token (ms)."""

    def __init__(self):
        self.sent_ns = time.monotonic_ns()
        self.first_ms = None
        self.latencies = []

    def add(self, pieces, now_ns):
        if self.first_ms is None:
            self.first_ms = (now_ns - self.sent_ns) / 1e6
        self.latencies += latencies_from(pieces, now_ns)

    def result(self):
        return steady(self.latencies), self.first_ms


async def via_agenttheo(session, port, i, tag):
    reading = Reading()
    url = f"http://127.0.0.1:{port}/stream?command=go&messageId=lat-{tag}-{i}"
    async with session.get(url) as resp:
        async for line in resp.content:
            if line.startswith(b"data: {\"token\""):
                reading.add([json.loads(line[6:])["token"]], time.monotonic_ns())
    return reading.result()


async def direct(session, upstream_port, i, tag):
    reading = Reading()
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
                        reading.add([content], now)
    return reading.result()


# Seconds over which a level's runs start (--spread): 0, all at the same
# instant (the start-up burst); a run's length, a new run arriving while
# the others stream.
SPREAD = 0.0


async def started_later(fn, s, port, i, tag, delay):
    await asyncio.sleep(delay)
    return await fn(s, port, i, tag)


async def measure(fn, port, concurrency, tag):
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as s:
        results = await asyncio.gather(*(
            started_later(fn, s, port, i, tag, SPREAD * i / concurrency)
            for i in range(concurrency)))
    latencies = [x for r, _ in results for x in r]
    firsts = [first for _, first in results if first is not None]
    return latencies, firsts


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
    parser.add_argument("--repeat", type=int, default=1,
                        help="times to run each level, pooling the samples "
                             "(one run gives one first token)")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which each level's runs start "
                             "(0: all at once)")
    args = parser.parse_args()
    global WARMUP, SPREAD
    WARMUP = args.warmup
    SPREAD = args.spread
    upstream = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(ROOT, "tests", "llm", "scripted_upstream.py"),
         str(args.tokens), str(args.rate)], stdout=subprocess.PIPE, text=True)
    upstream_port = int(upstream.stdout.readline())
    server = ServerProcess("--llm-provider", "compatible",
                           "--llm-base-url", f"http://127.0.0.1:{upstream_port}/v1",
                           "--llm-model", "m", "--max-sessions", "100000",
                           "--browser", "none")
    try:
        print(f"{args.tokens} tokens per run at {args.rate:g}/s; latency in ms "
              f"from upstream write to client read; TTFT server: the "
              f"server's own first_token_added histogram")
        print(f"{'runs':>6} {'direct p50':>11} {'p99':>7} {'via p50':>9} "
              f"{'p99':>7} {'added p50':>10} {'added p99':>10} "
              f"{'TTFT direct':>12} {'via':>7} {'added':>7} "
              f"{'server p50':>11} {'p99':>6}")
        for n, level in enumerate(int(x) for x in args.levels.split(",")):
            base, base_first, via, via_first = [], [], [], []
            before = server_metrics.histogram(server.port, server_metrics.FIRST_TOKEN_ADDED)
            # Repeats alternate, so drift on the machine falls on both.
            for k in range(args.repeat):
                b, bf = asyncio.run(measure(direct, upstream_port, level, "d"))
                v, vf = asyncio.run(measure(via_agenttheo, server.port, level,
                                            f"v{level}-{n}-{k}"))
                base += b
                base_first += bf
                via += v
                via_first += vf
            server_side = server_metrics.since(
                server_metrics.histogram(server.port, server_metrics.FIRST_TOKEN_ADDED), before)
            expected = args.repeat * level * (args.tokens - args.warmup)
            if len(via) < expected * 0.99:
                print(f"warning: got {len(via)} of {expected} tokens")
            print(f"{level:>6} {statistics.median(base):>11.2f} {pct(base, .99):>7.2f} "
                  f"{statistics.median(via):>9.2f} {pct(via, .99):>7.2f} "
                  f"{statistics.median(via) - statistics.median(base):>10.2f} "
                  f"{pct(via, .99) - pct(base, .99):>10.2f} "
                  f"{statistics.median(base_first):>12.2f} "
                  f"{statistics.median(via_first):>7.2f} "
                  f"{statistics.median(via_first) - statistics.median(base_first):>7.2f} "
                  f"{server_metrics.quantile_ms(server_side, .5):>11.2f} "
                  f"{server_metrics.quantile_ms(server_side, .99):>6.2f}")
    finally:
        server.stop()
        upstream.kill()


if __name__ == "__main__":
    main()
