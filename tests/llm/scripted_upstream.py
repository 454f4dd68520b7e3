"""An OpenAI-compatible `POST /v1/chat/completions` server that plays
scripts: the stand-in for LLM providers this network cannot reach. It speaks
the streaming wire format as the providers do (`data: {chunk}\\n\\n` events of
`chat.completion.chunk` objects, a usage-only chunk, `data: [DONE]`, chunked
transfer encoding) and each failure mode the client must survive."""

import asyncio
import json
import threading
import time

from aiohttp import web


def chunk(content=None, tool_calls=None, finish=None, role=None, model="test-model"):
    delta = {}
    if role is not None:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    return {"id": "chatcmpl-test", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def usage_chunk(prompt, completion):
    return {"id": "chatcmpl-test", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": "test-model", "choices": [],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion}}


def event(obj):
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


async def open_stream(request):
    resp = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache"})
    await resp.prepare(request)
    return resp


def reply(tokens, delay=0.0, usage=(12, None), finish="stop", first_delay=0.0):
    """Streams `tokens` as content deltas, then finish, usage, [DONE]; a
    client that goes away mid-stream is noted in `upstream.disconnects`.
    `first_delay`: seconds the model "thinks" between the head (and its
    role chunk) and the first token."""
    async def play(request, upstream):
        resp = await open_stream(request)
        await resp.write(event(chunk(role="assistant", content="")))
        if first_delay:
            await asyncio.sleep(first_delay)
        try:
            for token in tokens:
                await resp.write(event(chunk(content=token)))
                if delay:
                    await asyncio.sleep(delay)
        except ConnectionError:
            upstream.disconnects.append(time.monotonic())
            return resp
        await resp.write(event(chunk(finish=finish)))
        prompt, completion = usage
        await resp.write(event(usage_chunk(prompt, completion or len(tokens))))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp
    return play


def tool_calls(calls, content="", usage=(30, 9)):
    """A turn that asks for tools, as the providers stream it: each call's
    id and name first, then its arguments in pieces, then
    `finish_reason: tool_calls`. `calls` is [(name, arguments dict)]."""
    async def play(request, upstream):
        resp = await open_stream(request)
        await resp.write(event(chunk(role="assistant", content=content)))
        for index, (name, args) in enumerate(calls):
            call_id = f"call_{len(upstream.requests)}_{index}"
            await resp.write(event(chunk(tool_calls=[{
                "index": index, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": ""}}])))
            text = json.dumps(args)
            for at in range(0, len(text), 7):
                await resp.write(event(chunk(tool_calls=[{
                    "index": index, "function": {"arguments": text[at:at + 7]}}])))
        await resp.write(event(chunk(finish="tool_calls")))
        await resp.write(event(usage_chunk(*usage)))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp
    return play


def raw(payload_events):
    """Streams the given raw SSE bytes, then ends the response."""
    async def play(request, upstream):
        resp = await open_stream(request)
        for data in payload_events:
            await resp.write(data)
        await resp.write_eof()
        return resp
    return play


def status(code, body, headers=None):
    async def play(request, upstream):
        return web.Response(status=code, text=json.dumps(body),
                            content_type="application/json",
                            headers=headers or {})
    return play


def cut_after(tokens):
    """Sends some content, then drops the connection mid-stream."""
    async def play(request, upstream):
        resp = await open_stream(request)
        for token in tokens:
            await resp.write(event(chunk(content=token)))
        await asyncio.sleep(0.05)
        request.transport.abort()
        return resp
    return play


def stall(tokens=(), seconds=30):
    """Sends `tokens`, then nothing: notes when the client gives up."""
    async def play(request, upstream):
        resp = await open_stream(request)
        for token in tokens:
            await resp.write(event(chunk(content=token)))
        started = time.monotonic()
        try:
            while time.monotonic() - started < seconds:
                await asyncio.sleep(0.02)
                if request.transport is None or request.transport.is_closing():
                    upstream.disconnects.append(time.monotonic())
                    break
        except asyncio.CancelledError:
            upstream.disconnects.append(time.monotonic())
            raise
        return resp
    return play


def server_flags(upstream, *more):
    """The real binary's flags for a run against `upstream`, as a
    `compatible` provider with model `test-model`."""
    return ("--llm-provider", "compatible", "--llm-base-url", upstream.base_url,
            "--llm-model", "test-model", "--llm-api-key", "sk-test", *more)


class _Discard(list):
    """A request log that keeps nothing (long benchmark runs)."""

    def append(self, item):
        pass

    def __len__(self):
        return 1


class UpstreamModel:
    """Mixin, before ServerTestCase: the class's server talks to a
    ScriptedUpstream of its own (`cls.upstream`) as `test-model`, with
    `model_flags` more (or what `more_flags()` computes)."""

    model_flags = ()

    @classmethod
    def setUpClass(cls):
        cls.upstream = cls.enterClassContext(ScriptedUpstream())
        super().setUpClass()

    @classmethod
    def more_flags(cls):
        return cls.model_flags

    @classmethod
    def server_args(cls):
        return server_flags(cls.upstream, *cls.more_flags())


class ScriptedUpstream:
    """`with ScriptedUpstream() as up:` then `up.play(script, ...)`: request
    n gets the n-th script (the last one repeats). Requests are recorded."""

    def __init__(self):
        self.scripts = []
        self.requests = []
        self.disconnects = []
        self.loop = asyncio.new_event_loop()
        self.port = None

    def play(self, *scripts):
        self.scripts = list(scripts)
        self.requests.clear()
        self.disconnects.clear()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/v1"

    async def handle(self, request):
        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "body": body,
                              "at": time.monotonic()})
        script = self.scripts[min(len(self.requests), len(self.scripts)) - 1]
        return await script(request, self)

    def __enter__(self):
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self.loop)
            app = web.Application()
            app.router.add_post("/v1/chat/completions", self.handle)
            self.runner = web.AppRunner(app, handle_signals=False)
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, "127.0.0.1", 0, backlog=2048)
            self.loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def timestamped(count, rate):
    """`count` tokens at `rate` per second, each carrying the monotonic time
    it was written (`t<ns>;`), for latency measurements."""
    async def play(request, upstream):
        resp = await open_stream(request)
        await resp.write(event(chunk(role="assistant", content="")))
        for _ in range(count):
            await resp.write(event(chunk(content=f"t{time.monotonic_ns()};")))
            await asyncio.sleep(1.0 / rate)
        await resp.write(event(chunk(finish="stop")))
        await resp.write(event(usage_chunk(1, count)))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp
    return play


if __name__ == "__main__":
    # A standalone upstream for benchmarks: prints its port, then serves
    # timestamped tokens until killed.
    import sys
    count, rate = int(sys.argv[1]), float(sys.argv[2])
    with ScriptedUpstream() as upstream:
        upstream.play(timestamped(count, rate))
        upstream.requests = _Discard()
        print(upstream.port, flush=True)
        threading.Event().wait()
