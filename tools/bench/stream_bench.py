#!/usr/bin/python3
"""Measures the streaming core with the offline planner, run by hand:

    /usr/bin/python3 tools/bench/stream_bench.py [--repeat 5]

Scenarios (each repeated; medians reported):
  fanout   one run, N subscribers joined to it: every event goes to N sockets
  runs     N independent runs at once, one subscriber each
  idle     N open streams waiting on slow runs: resident memory per stream

The client is Python (aiohttp) and slower than the server, so wall-clock
rates here are client-bound. What the server itself spends is read from
/proc: CPU time per delivered event and resident memory. The C++ load
generator of tools/bench (issue 10) replaces this client for rate limits."""

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "build", "agenttheo")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU seconds of process `pid` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# One benchmark client stands for many: the per-client limits are off.
os.environ.update(CLIENT_MAX_SESSIONS="0", CLIENT_RUNS_PER_MINUTE="0",
                  CLIENT_MAX_STREAMS="0", CLIENT_WS_MESSAGES_PER_SECOND="0")


class ServerProcess:
    def __init__(self, *flags):
        # Its own working directory: its own store (data/agenttheo.db).
        self.scratch = tempfile.TemporaryDirectory(prefix="agenttheo-bench-")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--host", "127.0.0.1", "--port", "0",
             "--log-level", "WARN", *flags],
            stderr=subprocess.PIPE, text=True, cwd=self.scratch.name)
        # The listening line is logged at INFO; read the port from /proc.
        self.port = self._port_from_proc()

    def _port_from_proc(self):
        inodes = set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fd_dir = f"/proc/{self.proc.pid}/fd"
            for fd in os.listdir(fd_dir):
                try:
                    link = os.readlink(os.path.join(fd_dir, fd))
                except OSError:
                    continue
                m = re.match(r"socket:\[(\d+)\]", link)
                if m:
                    inodes.add(m.group(1))
            with open("/proc/net/tcp") as f:
                for line in f.readlines()[1:]:
                    parts = line.split()
                    if parts[3] == "0A" and parts[9] in inodes:
                        return int(parts[1].split(":")[1], 16)
            time.sleep(0.05)
        raise RuntimeError("server did not listen")

    def cpu_seconds(self):
        return cpu_seconds(self.proc.pid)

    def rss_kib(self):
        return rss_kib(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)
        self.scratch.cleanup()


async def consume(session, url):
    events = 0
    async with session.get(url) as resp:
        async for line in resp.content:
            if line.startswith(b"id: "):
                events += 1
    return events


def url(port, command, message_id):
    from urllib.parse import quote
    return (f"http://127.0.0.1:{port}/stream?command={quote(command)}"
            f"&messageId={message_id}")


async def fanout(port, subscribers, tag):
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        # The first request starts the run; the others join while it runs.
        target = url(port, "hello " * 400, f"fan-{tag}")
        counts = await asyncio.gather(*(consume(session, target)
                                        for _ in range(subscribers)))
    return sum(counts)


async def runs(port, count, tag):
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        counts = await asyncio.gather(*(
            consume(session, url(port, f"hello number {i}", f"run-{tag}-{i}"))
            for i in range(count)))
    return sum(counts)


async def idle(server, count):
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        before = server.rss_kib()
        responses = []
        for i in range(count):
            resp = await session.get(url(server.port, "hello", f"idle-{i}"))
            responses.append(resp)
        await asyncio.sleep(1.0)
        after = server.rss_kib()
        for resp in responses:
            resp.close()
    return (after - before) / count


def measure(server, scenario):
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    events = asyncio.run(scenario())
    return events, server.cpu_seconds() - cpu0, time.monotonic() - t0


def main():
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--binary", default=BINARY,
                        help="the agenttheo to measure (another build, to compare)")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    args = parser.parse_args()
    BINARY = args.binary
    rows = []

    # Every repetition leaves its sessions behind (until their idle timeout).
    server = ServerProcess("--planner-token-delay", "0",
                           "--max-sessions", "100000")
    for name, make in [
        (f"fanout: 1 run -> {args.subscribers} subscribers",
         lambda rep: lambda: fanout(server.port, args.subscribers, rep)),
        (f"runs: {args.runs} concurrent runs",
         lambda rep: lambda: runs(server.port, args.runs, rep)),
    ]:
        samples = [measure(server, make(rep)) for rep in range(args.repeat)]
        events = statistics.median(s[0] for s in samples)
        cpu_us = statistics.median(s[1] / s[0] * 1e6 for s in samples)
        wall = statistics.median(s[2] for s in samples)
        rows.append((name, f"{events:,.0f} events", f"{cpu_us:.2f} us CPU/event",
                     f"{events / wall:,.0f} events/s (client-bound)"))
    peak = server.rss_kib()
    server.stop()

    server = ServerProcess("--planner-token-delay", "10s",
                           "--max-sessions", str(args.idle + 10))
    per_stream = statistics.median(
        asyncio.run(idle(server, args.idle)) for _ in range(1))
    server.stop()
    rows.append((f"idle: {args.idle} open streams",
                 f"{per_stream:.1f} KiB RSS per stream (incl. its session)",
                 "", ""))
    rows.append(("server RSS after fanout+runs", f"{peak / 1024:.1f} MiB", "", ""))

    width = max(len(r[0]) for r in rows)
    print(f"median of {args.repeat} repetitions, {os.cpu_count()} cores")
    for row in rows:
        print(f"{row[0]:<{width}}  " + "  ".join(c for c in row[1:] if c))


if __name__ == "__main__":
    sys.exit(main())
