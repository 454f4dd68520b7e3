#!/usr/bin/python3
"""Bytes on the wire for the same run over each transport, run by hand:

    /usr/bin/python3 tools/bench/wire_bytes.py [--runs 5]

Two runs of the offline planner: a text-only one (tokens, no browser) and
the demo command in real headless Chromium (three steps, two screenshots).
Each is read through a counting TCP relay over SSE, SSE with gzip, WebSocket
without compression, and WebSocket with permessage-deflate at the default
threshold (512 bytes) and at 0 (everything compressed). Prints the median
bytes per transport and the ratio to plain SSE (the peer), and the median
wall time of each, in the same run."""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
from harness import Server, stream_path  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402


async def over_sse(port, session, command, gzip):
    """Reads one run's stream raw, so the counted bytes are what was sent."""
    async with TcpProxy(port) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        accept = "gzip" if gzip else "identity"
        path = stream_path(command, session=session)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Accept-Encoding: {accept}\r\n\r\n".encode())
        data = b""
        while not data.endswith(b"\r\n0\r\n\r\n"):
            more = await reader.read(65536)
            if not more:
                break
            data += more
        writer.close()
        if gzip:
            assert b"Content-Encoding: gzip" in data.split(b"\r\n\r\n")[0]
        else:
            assert b"event: complete" in data
        return proxy.bytes_down


async def over_websocket(port, session, command, compress):
    async with TcpProxy(port) as proxy, aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{proxy.port}/ws",
                                   compress=compress) as ws:
            await ws.send_json({"type": "run", "command": command, "session": session})
            while True:
                msg = await asyncio.wait_for(ws.receive(), 120)
                if msg.type == aiohttp.WSMsgType.TEXT \
                        and json.loads(msg.data).get("type") == "complete":
                    break
                assert msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)
        return proxy.bytes_down


TRANSPORTS = [
    ("SSE", lambda *run: over_sse(*run, gzip=False)),
    ("SSE, gzip", lambda *run: over_sse(*run, gzip=True)),
    ("WebSocket", lambda *run: over_websocket(*run, compress=0)),
    ("WebSocket, deflate", lambda *run: over_websocket(*run, compress=15)),
]


async def measure(server, command, runs, transports):
    # One session for all (one browser context, its page reused, as in a
    # conversation), warmed up by a first run that is not counted.
    _, created = server.call("POST", "/api/sessions")
    session = created["id"]
    await over_sse(server.port, session, command, gzip=False)
    results = {}
    for _ in range(runs):
        for name, read in transports:   # interleaved: same conditions for all
            started = time.monotonic()
            size = await read(server.port, session, command)
            results.setdefault(name, []).append((size, time.monotonic() - started))
    return {name: (statistics.median(s for s, _ in r), statistics.median(t for _, t in r))
            for name, r in results.items()}


def report(title, rows):
    peer = rows["SSE"][0]
    print(f"\n{title}")
    print(f"{'transport':<34} {'bytes':>9} {'vs SSE':>7} {'wall ms':>8}")
    for name, (size, wall) in rows.items():
        print(f"{name:<34} {size:>9,.0f} {size / peer:>7.2f} {wall * 1000:>8.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tables = {}
    # Default threshold: every transport. Threshold 0: deflate alone again.
    for threshold, transports in (("512", TRANSPORTS), ("0", TRANSPORTS[3:])):
        with Server("--planner-token-delay", "0", "--sse-gzip", "true",
                    "--ws-deflate-threshold", threshold) as server:
            demo = f"go to {server.base}/demo/ then click Products then read the page"
            for title, command in (("text only (planner reply)", "hello, what can you do?"),
                                   ("demo run with two screenshots", demo)):
                rows = asyncio.run(measure(server, command, args.runs, transports))
                table = tables.setdefault(title, {})
                for name, row in rows.items():
                    table[name if threshold == "512" else f"{name}, threshold 0"] = row
    for title, rows in tables.items():
        report(title, rows)


if __name__ == "__main__":
    main()
