#!/usr/bin/python3
"""The benchmark's LLM provider: an OpenAI-compatible upstream (the wire
format of tests/llm/scripted_upstream.py) whose every completion streams
`--count` tokens at `--rate` per second, each token's text `t<ns>;` the
CLOCK_MONOTONIC time it was written. Tokens keep a fixed schedule (k / rate
after the first), so a slow reader does not slow the writer down.

With `--hold`, completions send their head and wait until `POST /release`
(the load generator sends it once every subscriber is connected): a fan-out
run's tokens then all go to subscribers that are already listening.

Prints its port, then serves until killed.

    /usr/bin/python3 tools/bench/token_upstream.py --count 1000 --rate 100 --hold
"""

import argparse
import asyncio
import os
import sys
import time

from aiohttp import web

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "llm"))
from scripted_upstream import chunk, event, open_stream, usage_chunk  # noqa: E402


def make_app(count, rate, hold):
    released = asyncio.Event()
    if not hold:
        released.set()

    async def completion(request):
        await request.read()
        resp = await open_stream(request)
        await resp.write(event(chunk(role="assistant", content="")))
        await released.wait()
        start = time.monotonic()
        for k in range(count):
            delay = start + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await resp.write(event(chunk(content=f"t{time.monotonic_ns()};")))
        await resp.write(event(chunk(finish="stop")))
        await resp.write(event(usage_chunk(1, count)))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    async def release(request):
        released.set()
        return web.json_response({"released": True})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completion)
    app.router.add_post("/release", release)
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--hold", action="store_true")
    args = parser.parse_args()

    async def serve():
        runner = web.AppRunner(make_app(args.count, args.rate, args.hold),
                               handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=4096)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
