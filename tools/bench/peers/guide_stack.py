#!/usr/bin/python3
"""The guide's own stack as a benchmark peer: FastAPI + uvicorn + starlette
(Debian's packages), a `/stream` SSE endpoint that relays an
OpenAI-compatible upstream's token stream the way the guide's
`webui/server.py` does: one upstream completion per request, each content
delta sent on as a `token` event `{"token", "metadata": {"count"}}`,
framed by `start` and `complete`.

    /usr/bin/python3 tools/bench/peers/guide_stack.py --upstream http://127.0.0.1:PORT/v1 --port 8100
"""

import argparse
import json

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse


def sse(event_type, data):
    return f"event: {event_type}\ndata: {json.dumps(data)}\n\n"


def make_app(upstream):
    app = FastAPI()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    client = httpx.AsyncClient(base_url=upstream, timeout=None, limits=limits)

    @app.get("/stream")
    async def stream(command: str, messageId: str, stream_mode: str = "messages"):
        async def events():
            yield sse("start", {"messageId": messageId, "command": command})
            count = 0
            body = {"model": "m", "stream": True,
                    "messages": [{"role": "user", "content": command}]}
            async with client.stream("POST", "/chat/completions", json=body) as resp:
                async for line in resp.aiter_lines():
                    if not line.startswith("data: {"):
                        continue
                    for choice in json.loads(line[6:]).get("choices", []):
                        token = choice.get("delta", {}).get("content")
                        if token:
                            count += 1
                            yield sse("token", {"token": token,
                                                "metadata": {"count": count}})
            yield sse("complete", {"messageId": messageId,
                                   "summary": {"tokens_streamed": count}})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})

    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="base URL, up to /v1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(make_app(args.upstream), host="127.0.0.1", port=args.port,
                log_level="warning", backlog=4096, access_log=False)


if __name__ == "__main__":
    main()
